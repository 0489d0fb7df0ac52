"""The second factor of the roles that run, keep or review deals (``SECOND_FACTOR_ROLES``, and
superusers): an authenticator app (TOTP, django-otp) with ten recovery codes for the day the phone
is lost.

A person sets the authenticator up once, on their first sign-in that needs it, and confirms it with
a code; the recovery codes are made then and shown once. Every later sign-in asks for a current code
or an unused recovery code, which is then consumed. Wrong codes are throttled like wrong passwords
(``LoginFailure`` rows, so every server process sees the same count) and each device also slows
guesses down itself (django-otp's growing delays). Events never hold a secret or a code.
"""
from datetime import timedelta

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from monitoring.events import record
from trading import clock
from trading.accounts.selectors import second_factor_needed
from trading.accounts.services.people import security_admin_check, sessions_end
from trading.errors import AccountError, AuthError
from trading.models import LoginFailure, User
from trading.services.notifications import notify

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def _failure_key(user: User) -> str:
    """The ``LoginFailure`` username of second-factor failures. Not the bare username: a right
    password clears that one's failures (``login_check``), and must not clear the guesses at the
    code that only someone who knows the password can make."""
    return f"otp:{user.username}"[:150]


def totp_device_get(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator (``confirmed``), or the one being set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def demo_devices_list():
    """The confirmed authenticators of the demo's accounts (``demo_*``), for the demo's page of codes."""
    return (TOTPDevice.objects.filter(confirmed=True, user__username__startswith="demo_")
            .select_related("user").prefetch_related("user__roles").order_by("user__username"))


def totp_device_create(user: User, *, confirmed: bool = False, actor: str = "system") -> TOTPDevice:
    """The authenticator a person is setting up (unconfirmed: the same one until they confirm it, so
    reloading the set-up page keeps its QR code), or, with ``confirmed``, one the platform confirms
    at once for accounts it sets up itself (``actor``: ``system:demo``, ``system:test``)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if totp_device_get(user) is not None:
            raise AccountError("second_factor_enrolled", _("This account already has an authenticator."),
                               status=409)
        if not confirmed:
            return totp_device_get(user, confirmed=False) or TOTPDevice.objects.create(
                user=user, name=TOTP_NAME, confirmed=False)
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
        record(kind="second_factor.enrolled", actor=actor, subject=f"user:{user.pk}",
               data={"device": device.persistent_id, "set_up_by": "platform"})
    return device


def totp_confirm(user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator being set up with a code it shows, and make the recovery codes.
    Returns the device and the codes: the only time they are shown (django-otp keeps them to check
    them, never shows them again)."""
    code = _normalised(code)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if totp_device_get(user) is not None:
            raise AccountError("second_factor_enrolled", _("This account already has an authenticator."),
                               status=409)
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise AccountError("second_factor_not_set_up", _("Start setting up your authenticator again."),
                               status=409)
        allowed = device.verify_is_allowed()[0]
        failed = not (allowed and code.isdigit() and device.verify_token(code))
        if failed:
            record(kind="second_factor.failed", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
                   data={"step": "set_up", "slowed_down": not allowed})
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            StaticDevice.objects.filter(user=user).delete()
            recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
            codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create([StaticToken(device=recovery, token=token) for token in codes])
            record(kind="second_factor.enrolled", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
                   data={"device": device.persistent_id, "set_up_by": "person", "recovery_codes": RECOVERY_CODES})
    if not allowed:
        raise AuthError("second_factor_throttled", _("Wait a few seconds before you try another code."),
                        status=429)
    if failed:
        raise AuthError("second_factor_invalid", _("The code is not correct. Type the six digits your "
                                                   "authenticator shows now."), status=400)
    return device, codes


def second_factor_verify(request, user: User, code: str):
    """Check a current authenticator code or an unused recovery code of ``user`` and, if it is right,
    mark ``request``'s session as signed in with both factors (``django_otp.login``; a no-op when the
    request has no session of this person, as for the token API). A recovery code is consumed.
    Returns the device that accepted the code."""
    ip = request.META.get("REMOTE_ADDR") if request else None
    key = _failure_key(user)
    window_start = clock.now() - timedelta(minutes=settings.PLATFORM_LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=window_start)
    limit = settings.PLATFORM_LOGIN_MAX_FAILURES
    if recent.filter(username=key).count() >= limit or (ip and recent.filter(ip=ip).count() >= limit * 4):
        raise AuthError("second_factor_throttled",
                        _("Too many wrong codes. Try again in %(minutes)d minutes.")
                        % {"minutes": settings.PLATFORM_LOGIN_LOCKOUT_MINUTES}, status=429)
    code = _normalised(code)
    # Six digits are an authenticator code; anything else can only be a recovery code. Trying each
    # kind on its own device keeps one kind's mistakes from slowing down the other device.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        allowed = device is not None and device.verify_is_allowed()[0]
        verified = allowed and bool(code) and device.verify_token(code)
        kind = "totp" if model is TOTPDevice else "recovery"
        if verified:
            LoginFailure.objects.filter(username=key).delete()
            if model is StaticDevice:
                record(kind="second_factor.recovery_used", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
                       data={"recovery_codes_left": device.token_set.count()})
        else:
            LoginFailure.objects.create(username=key, ip=ip, at=clock.now())
            record(kind="second_factor.failed", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
                   data={"code_kind": kind, "slowed_down": device is not None and not allowed})
    if device is not None and not allowed:
        raise AuthError("second_factor_throttled", _("Wait a few seconds before you try another code."),
                        status=429)
    if not verified:
        raise AuthError("second_factor_invalid", _("The code is not correct, or was used already. Type the "
                                                   "code your authenticator shows now, or an unused recovery "
                                                   "code."), status=401)
    if request is not None:
        django_otp.login(request, device)
    return device


def second_factor_check(request, user: User, code: str) -> None:
    """The second factor of a sign-in without a page (the token API): nothing to do for a person who
    needs none, else the code must be given and right (``second_factor_verify``)."""
    if not second_factor_needed(user):
        return
    if not _normalised(code):
        raise AuthError("second_factor_required", _("Your role needs a second factor: send the code your "
                                                    "authenticator shows now (otp), or a recovery code."),
                        status=401)
    second_factor_verify(request, user, code)


def _normalised(code: str) -> str:
    """People type codes with spaces or dashes, as apps and printed lists show them."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def second_factor_reset(*, user: User, by: User, reason: str) -> None:
    """A security administrator removes a person's authenticator and recovery codes (a lost phone):
    their sessions end, and at the next sign-in they set a new authenticator up."""
    security_admin_check(by)
    if by.pk == user.pk:
        raise AccountError("self_grant", _("Nobody resets their own second factor: another security administrator "
                                           "does it."))
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("reason_missing", _("Say why the second factor is reset."), status=400)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        ended = sessions_end(user=user)
        record(kind="second_factor.reset", actor=f"user:{by.pk}", subject=f"user:{user.pk}",
               data={"reason": reason, "devices_removed": removed, "sessions_ended": ended})
        notify(user=user, kind="second_factor.reset", title=_("Your second factor was reset"),
               body=_("Set a new authenticator up at your next sign-in. Reason: %(reason)s"), params={"reason": reason})

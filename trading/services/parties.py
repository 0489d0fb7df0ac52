"""Writes about parties: organisations and accounts made by staff or the platform, sign-in throttling.

Roles are granted in ``trading.accounts.services.roles``; companies that sign themselves up go
through ``trading.accounts.services.companies``."""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import AuthError, TradingError
from trading.accounts.services.roles import role_grant
from trading.models import LoginFailure, Organisation, Role, User


def _validated(instance, *, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise TradingError.from_validation(error) from None
    return instance


@transaction.atomic
def organisation_create(*, name: str, uscc: str, kind: str, actor: str, sector: str = "") -> Organisation:
    """``sector`` says what kind of body a tenderee is (the statistics' tenderee type)."""
    organisation = _validated(Organisation(name=name.strip(), uscc=uscc.strip().upper(), kind=kind, sector=sector))
    organisation.save()
    record(kind="organisation.created", actor=actor, subject=f"organisation:{organisation.pk}",
           data={"name": organisation.name, "uscc": organisation.uscc, "kind": organisation.kind,
                 **({"sector": sector} if sector else {})})
    return organisation


@transaction.atomic
def user_create(*, username: str, password: str, roles: list[str], actor: str, display_name: str = "",
                organisation: Organisation | None = None, resident_id: str | None = None) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise TradingError("unknown_role", _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    user = User(username=username, display_name=display_name, organisation=organisation,
                resident_id=resident_id or None)
    user.set_password(password)
    _validated(user)
    user.save()
    for role in roles:
        role_grant(user=user, role=role, actor=actor)
    record(kind="user.created", actor=actor, subject=f"user:{user.pk}",
           data={"username": user.username, "roles": sorted(roles)})
    return user


def login_check(*, request, username: str, password: str) -> User:
    """Authenticate, refusing while an account or an address has failed too often lately.

    Failures are rows in the database, so every server process sees the same count.
    """
    ip = request.META.get("REMOTE_ADDR") if request else None
    window_start = clock.now() - timedelta(minutes=settings.PLATFORM_LOGIN_LOCKOUT_MINUTES)
    limit = settings.PLATFORM_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=window_start)
    if recent.filter(username=username).count() >= limit or (ip and recent.filter(ip=ip).count() >= limit * 4):
        raise AuthError(
            "login_throttled",
            _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.")
            % {"minutes": settings.PLATFORM_LOGIN_LOCKOUT_MINUTES},
            status=429,
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username, ip=ip, at=clock.now())
        raise AuthError("invalid_credentials", _("The username or password is not correct."), status=401)
    LoginFailure.objects.filter(username=username).delete()
    if user.is_superuser:  # a superuser's every use is on the record (docs/accounts.md)
        with transaction.atomic():
            record(kind="user.superuser_signed_in", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
                   data={"ip": ip})
    return user

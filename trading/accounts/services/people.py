"""Locking a person out, and letting them back in: a security administrator's other power.

A lock ends the person's sessions at once: the account is made inactive (Django's ModelBackend
drops an inactive user on their next request), their API tokens are deleted, their stored
sessions removed, and their open live rooms told to check again (they close). Their roles stay, so unlocking restores them as they were; taking a role away is
``role_revoke``."""
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from monitoring.events import access_changed, actor_of, record
from trading import clock
from trading.errors import AccountError
from trading.models import Role, User
from trading.services.notifications import notify


def security_admin_check(actor_user: User) -> None:
    if not (actor_user.is_superuser or actor_user.has_role(Role.SECURITY_ADMIN)):
        raise AccountError("not_security_admin", _("Only a security administrator locks or unlocks accounts."))


def sessions_end(*, user: User) -> int:
    """Delete every stored session and API token of ``user``; returns how many sessions ended."""
    Token.objects.filter(user=user).delete()
    ended = 0
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_lock(*, user: User, by: User, reason: str) -> User:
    security_admin_check(by)
    if by.pk == user.pk:
        raise AccountError("self_grant", _("Nobody locks or unlocks their own account."))
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("reason_missing", _("Say why the account is locked."), status=400)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise AccountError("already_locked", _("This account is already locked."), status=409)
        user.is_active, user.locked_at, user.locked_by, user.locked_reason = False, clock.now(), actor_of(by), reason
        user.save(update_fields=["is_active", "locked_at", "locked_by", "locked_reason"])
        ended = sessions_end(user=user)
        access_changed(user.pk)  # their open live rooms check again after commit, and close
        record(kind="user.locked", actor=actor_of(by), subject=f"user:{user.pk}",
               data={"reason": reason, "sessions_ended": ended})
        notify(user=user, kind="user.locked", title=gettext_lazy("Your account was locked"),
               body=gettext_lazy("Reason: %(reason)s"), params={"reason": reason})
    return user


def user_unlock(*, user: User, by: User, reason: str) -> User:
    security_admin_check(by)
    if by.pk == user.pk:
        raise AccountError("self_grant", _("Nobody locks or unlocks their own account."))
    reason = (reason or "").strip()
    if not reason:
        raise AccountError("reason_missing", _("Say why the account is unlocked."), status=400)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise AccountError("not_locked", _("This account is not locked."), status=409)
        user.is_active, user.locked_at, user.locked_by, user.locked_reason = True, None, "", ""
        user.save(update_fields=["is_active", "locked_at", "locked_by", "locked_reason"])
        record(kind="user.unlocked", actor=actor_of(by), subject=f"user:{user.pk}", data={"reason": reason})
        notify(user=user, kind="user.unlocked", title=gettext_lazy("Your account was unlocked"),
               body=gettext_lazy("Reason: %(reason)s"), params={"reason": reason})
    return user

"""Registration for a lot (报名): sign-up, staff approval where the procedure asks for it, withdrawal.

Lock order, shared with ``trading.services.deposits``: lot, then registration, then deposit. Events
go under the registration's subject (see there).
"""
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from monitoring.events import WITHHELD_ACTOR, access_changed, actor_of, record
from trading import clock
from trading.errors import TradingError
from trading.models import Deposit, Lot, Organisation, Registration, Role, User
from trading.services.deposits import deposit_refund_due_locked, registration_lock
from trading.services.moves import lot_lock

AUTO_ACTOR = "system:auto"
OPEN_STATUSES = (Lot.Status.PUBLISHED, Lot.Status.BIDDING, Lot.Status.LISTING)


def registration_deadline(lot: Lot) -> datetime | None:
    """Registration closes with bidding: the bid deadline, or the end of a listing."""
    return lot.listing_end if lot.is_listing else lot.bid_deadline


def registration_open(lot: Lot, *, at: datetime) -> bool:
    deadline = registration_deadline(lot)
    return lot.status in OPEN_STATUSES and deadline is not None and at < deadline




def _open_check(lot: Lot, now: datetime) -> None:
    """Caller holds the lot's lock, so a close or a deadline move cannot pass in between."""
    if not registration_open(lot, at=now):
        raise TradingError("registration_closed", _("Registration for this lot is closed."), status=409)




def _event(registration: Registration, kind: str, actor: str, **data) -> None:
    record(kind=kind, actor=actor, subject=f"registration:{registration.pk}",
           data={"lot": registration.lot_id, "organisation": registration.organisation_id,
                 "status": registration.status, **data})
    # The organisation's people may be in the lot's live room as its bidders: let it check again.
    for user_id in User.objects.filter(organisation_id=registration.organisation_id).values_list("pk", flat=True):
        access_changed(user_id)


def registration_create(*, lot_id: int, user: User) -> Registration:
    """Register the user's organisation for a lot; approved at once unless the procedure asks staff."""
    if not user.has_role(Role.BIDDER):
        raise TradingError("not_bidder", _("Only bidders register for lots."), status=403)
    if user.organisation_id is None:
        raise TradingError("no_organisation", _("Your account belongs to no organisation; ask the centre to link it."),
                           status=403)
    if user.organisation.status != Organisation.Status.APPROVED:
        raise TradingError("company_not_approved", _("Your company is not approved yet: it registers for lots once "
                                                     "the trading centre has approved its sign-up."), status=403)
    now = clock.now()
    actor = actor_of(user)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        _open_check(lot, now)
        # Registrations of one lot are serialised by the lot's lock, so this sees any committed
        # before it; the unique constraint stays as the last guard.
        if Registration.objects.filter(lot=lot, organisation_id=user.organisation_id).exists():
            raise TradingError("already_registered", _("Your organisation is already registered for this lot."),
                               status=409)
        # A natural person acts for one company at a time in a lot: one who registered another
        # organisation (before moving to this one) may not register this one too.
        if (Registration.objects.filter(lot=lot, registered_by=user).exclude(organisation_id=user.organisation_id)
                .exclude(status__in=[Registration.Status.WITHDRAWN, Registration.Status.REJECTED]).exists()):
            raise TradingError("person_acts_for_another_bidder", _("You already registered another company for this "
                                                                   "lot: a person acts for one company at a time in "
                                                                   "a lot."), status=409)
        registration = Registration.objects.create(lot=lot, organisation_id=user.organisation_id,
                                                   registered_by=user, registered_at=now)
        _event(registration, "registration.created", WITHHELD_ACTOR, by=actor)
        if not lot.procedure.requires_prequalification:
            registration.approve()
            registration.decided_at = now
            registration.decided_by = AUTO_ACTOR
            registration.save()
            _event(registration, "registration.approved", AUTO_ACTOR, automatic=True)
    return registration


def registration_decide(*, registration_id: int, approve: bool, reason: str, actor: str) -> Registration:
    """Staff's pre-qualification decision (资格审查/竞买资格确认); a rejection says why."""
    reason = reason.strip()
    if not approve and not reason:
        raise TradingError("reason_required", _("Say why the registration is rejected."))
    with transaction.atomic():
        registration = registration_lock(registration_id)
        try:
            if approve:
                registration.approve()
            else:
                registration.reject()
        except TransitionNotAllowed:
            raise TradingError("registration_not_pending",
                               _("The registration is %(status)s; only one awaiting approval can be decided.")
                               % {"status": Registration.Status(registration.status).label}, status=409) from None
        registration.decided_at = clock.now()
        registration.decided_by = actor
        registration.reason = reason
        registration.save()
        _event(registration, "registration.approved" if approve else "registration.rejected", actor, reason=reason)
    return registration


def registration_withdraw(*, registration_id: int, user: User) -> Registration:
    """The bidder steps back before the deadline; a deposit held for it falls due for refund."""
    now = clock.now()
    actor = actor_of(user)
    with transaction.atomic():
        lot_id = Registration.objects.filter(pk=registration_id).values_list("lot_id", flat=True).first()
        if lot_id is None:
            raise TradingError("registration_not_found", _("There is no such registration."), status=404)
        lot = lot_lock(lot_id)
        registration = registration_lock(registration_id)
        if user.organisation_id is None or registration.organisation_id != user.organisation_id:
            raise TradingError("registration_not_found", _("There is no such registration."), status=404)
        _open_check(lot, now)
        try:
            registration.withdraw()
        except TransitionNotAllowed:
            raise TradingError("registration_not_active",
                               _("The registration is %(status)s and cannot be withdrawn.")
                               % {"status": Registration.Status(registration.status).label}, status=409) from None
        registration.save()
        _event(registration, "registration.withdrawn", WITHHELD_ACTOR, by=actor)
        deposit = Deposit.objects.select_for_update().filter(registration=registration,
                                                             status=Deposit.Status.RECEIVED).first()
        if deposit is not None:
            registration.lot = lot
            deposit.registration = registration
            deposit_refund_due_locked(deposit=deposit, reason="withdrawn", actor=actor, at=now)
    return registration

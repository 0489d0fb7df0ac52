"""Reads of registrations and deposits."""
from datetime import datetime

from django.db.models import QuerySet

from trading import clock
from trading.models import Deposit, Lot, Registration, User

_LOT = ("lot__project__market", "lot__project__procedure")


def registration_get_for_user(*, lot_id: int, user: User) -> Registration | None:
    """The registration of the user's organisation for the lot, with its deposit, or None."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    return (Registration.objects.select_related("organisation", "deposit", *_LOT)
            .filter(lot_id=lot_id, organisation_id=user.organisation_id).first())


def deposit_held(*, registration: Registration) -> Deposit | None:
    """The registration's deposit if it counts for bidding (recorded and not refunded), else None."""
    return Deposit.objects.filter(registration=registration).exclude(status=Deposit.Status.REFUNDED).first()


def lot_get_for_registration(*, lot_id: int) -> Lot | None:
    """The lot, once announced: drafts and lots under review are not public."""
    return (Lot.objects.select_related("project__market", "project__procedure")
            .exclude(status__in=[Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW]).filter(pk=lot_id).first())


def registrations_pending() -> QuerySet[Registration]:
    """Registrations awaiting staff's pre-qualification decision, oldest first."""
    return (Registration.objects.filter(status=Registration.Status.PENDING)
            .select_related("organisation", "registered_by", *_LOT).order_by("registered_at", "pk"))


def registrations_awaiting_deposit() -> QuerySet[Registration]:
    """Live registrations for open lots that ask a deposit, with none recorded yet."""
    return (Registration.objects
            .filter(status__in=[Registration.Status.PENDING, Registration.Status.APPROVED], deposit__isnull=True,
                    lot__deposit__gt=0,
                    lot__status__in=[Lot.Status.PUBLISHED, Lot.Status.BIDDING, Lot.Status.LISTING])
            .select_related("organisation", *_LOT).order_by("lot_id", "registered_at", "pk"))


def deposits_refund_due() -> QuerySet[Deposit]:
    """Deposits that must go back, the most urgent first."""
    return (Deposit.objects.filter(status=Deposit.Status.REFUND_DUE)
            .select_related("registration__organisation", *(f"registration__{name}" for name in _LOT))
            .order_by("refund_due_at", "pk"))


def deposits_refund_overdue(*, at: datetime | None = None) -> QuerySet[Deposit]:
    """Refunds whose due instant has come (the period is open while now < due)."""
    return deposits_refund_due().filter(refund_due_at__lte=at or clock.now())


def registrations_of_organisation(*, organisation_id: int | None) -> QuerySet[Registration]:
    """Every registration of an organisation with its lot and deposit, the newest first."""
    if organisation_id is None:
        return Registration.objects.none()
    return (Registration.objects.filter(organisation_id=organisation_id).select_related("deposit", *_LOT)
            .order_by("-registered_at", "-pk"))

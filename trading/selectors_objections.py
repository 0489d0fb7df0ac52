"""Reads of objections to tender documents, and the window in which a lot takes them."""
from datetime import date, datetime

from django.db.models import QuerySet

from trading import clock
from trading.errors import TradingError
from trading.models import DocumentObjection, Lot, Role, RuleCode
from trading.selectors import registration_active
from trading.selectors_calendar import lot_published_at, rule_get
from trading.workdays import Deadline, deadline_add, local_day

# Objections are taken on published tender documents until bids are frozen; a lot suspended by open
# objections takes further ones, since those keep the same suspension.
FILING_STATUSES = (Lot.Status.PUBLISHED, Lot.Status.BIDDING)


def objection_deadline(*, lot: Lot) -> Deadline | None:
    """The end of the filing period: the rule's days before the bid deadline (``last_day`` is the last
    local day an objection is taken). None when the lot has no bid deadline. Raises ``rule_missing``."""
    if lot.bid_deadline is None:
        return None
    rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.DOCUMENTS_OBJECTION,
                    at=lot_published_at(lot=lot))
    return deadline_add(start=lot.bid_deadline, amount=-rule.amount, unit=rule.unit)


def objection_list_open(*, lot: Lot) -> QuerySet[DocumentObjection]:
    """Unanswered objections to the lot with who filed them, oldest first (staff)."""
    return (DocumentObjection.objects.filter(lot=lot, replied_at__isnull=True)
            .select_related("organisation", "filed_by").order_by("filed_at", "id"))


def objection_has_open(*, lot: Lot) -> bool:
    return DocumentObjection.objects.filter(lot=lot, replied_at__isnull=True).exists()


def objection_list_overdue(*, at: datetime | None = None) -> QuerySet[DocumentObjection]:
    """Unanswered objections whose reply period has ended, on every lot, the longest overdue first (staff)."""
    return (DocumentObjection.objects.filter(replied_at__isnull=True, reply_due_at__lte=at or clock.now())
            .select_related("organisation", "filed_by", "lot__project").order_by("reply_due_at", "id"))


def objection_list_own(*, organisation, lot: Lot | None = None) -> QuerySet[DocumentObjection]:
    """The objections an organisation filed (on the lot, or on every lot with its lot and project),
    with their replies, oldest first."""
    if organisation is None:
        return DocumentObjection.objects.none()
    if lot is None:
        return (DocumentObjection.objects.filter(organisation=organisation).select_related("lot__project")
                .order_by("filed_at", "id"))
    return DocumentObjection.objects.filter(lot=lot, organisation=organisation).order_by("filed_at", "id")


def objection_can_file(*, lot: Lot, user, now: datetime) -> bool:
    """Whether the page offers ``user`` the form; the service decides again under the lot's lock."""
    if not (user and user.is_authenticated and user.has_role(Role.BIDDER)) or lot.is_listing:
        return False
    if lot.status not in FILING_STATUSES and not (lot.status == Lot.Status.SUSPENDED and objection_has_open(lot=lot)):
        return False
    deadline = _deadline_or_none(lot)
    return (deadline is not None and local_day(now) <= deadline.last_day
            and registration_active(lot=lot, organisation=user.organisation))


def _deadline_or_none(lot: Lot) -> Deadline | None:
    """For pages: a procedure without the rule (e.g. an inquiry) takes no objections to documents."""
    try:
        return objection_deadline(lot=lot)
    except TradingError as error:
        if error.code != "rule_missing":
            raise
        return None


def objection_last_day(*, lot: Lot) -> date | None:
    deadline = _deadline_or_none(lot)
    return deadline.last_day if deadline else None

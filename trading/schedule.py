"""Checking a lot's schedule against the rule table (DESIGN §2).

Each check names the rule it enforces and, when it fails, the earliest date that would pass, so the
person publishing can fix the schedule in one go.

Day counting follows ``trading.workdays``: "at least N days after X" means the later date falls on
or after the local (Asia/Shanghai) day X + N — published on 1 December, bids may close at any time on
21 December (20 days), not on the 20th. Working days skip weekends and holidays and honour make-up
workdays. A result that passes through a year staff have not confirmed is provisional: it is allowed,
flagged, and raises a staff alert.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from trading.models import Lot, RuleCode, RuleUnit
from trading.money import yuan
from trading.selectors_calendar import lot_published_at, rule_find, rule_get
from trading.workdays import CHINA, add_working_days, deadline_add, local_day


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    earliest: date | None = None


@dataclass
class ScheduleCheck:
    violations: list[Violation] = field(default_factory=list)
    provisional_years: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.violations


def _rule(lot: Lot, code: str, *, required: bool = True, current: bool = False):
    """The lot's rule ``code`` as it stood when the lot was published (today's for a lot not yet
    published, or with ``current``); a procedure without a row for an optional rule has no such limit
    (e.g. no documents-on-sale period for an inquiry), while a missing required rule is refused."""
    find = rule_get if required else rule_find
    return find(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                at=None if current else lot_published_at(lot=lot))


def _min_after(check: ScheduleCheck, lot: Lot, code: str, start: datetime, end: datetime | None,
               message, *, required: bool = True) -> None:
    rule = _rule(lot, code, required=required)
    if rule is None:
        return
    deadline = deadline_add(start=start, amount=rule.amount, unit=rule.unit)
    check.provisional_years.update(deadline.unconfirmed_years)
    if end is None or local_day(end) < deadline.last_day:
        check.violations.append(Violation(
            rule=code,
            message=message % {"n": rule.amount, "unit": RuleUnit(rule.unit).label, "source": rule.source_text,
                               "earliest": deadline.last_day.isoformat()},
            earliest=deadline.last_day,
        ))


def publication_check(*, lot: Lot, at: datetime) -> ScheduleCheck:
    """Everything publishing ``lot`` at ``at`` must satisfy."""
    check = ScheduleCheck()
    if lot.is_listing:
        _min_after(check, lot, RuleCode.LISTING_NOTICE, at, lot.listing_start,
                   _("The listing must start at least %(n)s %(unit)s after its announcement (%(source)s): "
                     "the earliest start is %(earliest)s."), required=False)
        if lot.listing_start:
            # Land lists for a period in days (listing_period); equity discloses for working days
            # (disclosure_period): whichever the procedure's rule table holds.
            has_listing_period = _rule(lot, RuleCode.LISTING_PERIOD, required=False) is not None
            code = RuleCode.LISTING_PERIOD if has_listing_period else RuleCode.DISCLOSURE_PERIOD
            _min_after(check, lot, code, lot.listing_start, lot.listing_end,
                       _("The listing must last at least %(n)s %(unit)s (%(source)s): the earliest end is "
                         "%(earliest)s."))
        return check
    _min_after(check, lot, RuleCode.BID_PREPARATION, at, lot.bid_deadline,
               _("Bids must be due at least %(n)s %(unit)s after the announcement (%(source)s): the earliest "
                 "deadline is %(earliest)s."))
    documents_from = lot.documents_from or at
    _min_after(check, lot, RuleCode.DOCUMENTS_ON_SALE, documents_from, lot.documents_until,
               _("Tender documents must be on sale for at least %(n)s %(unit)s (%(source)s): they may not be "
                 "withdrawn before %(earliest)s."), required=False)
    deposit_check(check, lot=lot)
    return check


def deposit_check(check: ScheduleCheck, *, lot: Lot) -> None:
    rule = _rule(lot, RuleCode.DEPOSIT_CAP)
    cap = (lot.estimate * Decimal(rule.amount) / Decimal(100 * rule.denominator)).quantize(Decimal("0.01"))
    if lot.deposit > cap:
        check.violations.append(Violation(
            rule=RuleCode.DEPOSIT_CAP,
            message=_("The bid deposit may be at most %(n)s %% of the estimate (%(source)s): at most %(cap)s.")
            % {"n": rule.amount, "source": rule.source_text, "cap": yuan(cap)},
        ))


def amendment_check(*, lot: Lot, at: datetime, new_deadline: datetime | None) -> ScheduleCheck:
    """An amendment published at ``at`` leaves at least the rule's days before the (possibly moved)
    deadline; otherwise the deadline must move."""
    check = ScheduleCheck()
    deadline = new_deadline or lot.bid_deadline
    _min_after(check, lot, RuleCode.AMENDMENT_NOTICE, at, deadline,
               _("An amendment must come at least %(n)s %(unit)s before the bid deadline (%(source)s): move the "
                 "deadline to %(earliest)s or later."))
    if new_deadline is not None and lot.bid_deadline and new_deadline < lot.bid_deadline:
        check.violations.append(Violation(
            rule="deadline_earlier",
            message=_("An amendment may move the bid deadline later, never earlier."),
        ))
    return check


# The time of day of a proposed date when the lot it is proposed from had none.
PROPOSED_TIME = time(9, 0)


def _working_day_at(day: date, like: datetime | None) -> datetime:
    """``day``, or the first working day after it, at ``like``'s local time of day."""
    day = add_working_days(day - timedelta(days=1), 1)
    return datetime.combine(day, like.astimezone(CHINA).time() if like else PROPOSED_TIME,
                            tzinfo=CHINA).astimezone(UTC)


def _earliest_day(lot: Lot, code: str, start: datetime, *, required: bool = True) -> date | None:
    rule = _rule(lot, code, required=required, current=True)  # for a new lot, published under today's rules
    return None if rule is None else deadline_add(start=start, amount=rule.amount, unit=rule.unit).last_day


def schedule_earliest(*, lot: Lot, at: datetime) -> dict[str, datetime]:
    """The earliest schedule ``publication_check`` allows for a lot of ``lot``'s procedure announced
    at ``at``, proposed for a lot that tenders ``lot`` again (``trading.services.retender``).

    Each date falls on the rule's last day or, when that is not a working day, the first working day
    after it, at the local time of day ``lot`` used for it (an opening at 09:30 stays at 09:30).
    Tender lots: the bid deadline after the bid-preparation period; documents on sale for their
    period, or until the deadline where ``lot`` kept them on sale that long. Listing lots: the start
    after the listing notice (the next working day where the procedure has none) and the end after
    the listing or disclosure period (``lot``'s own length where the procedure has neither).
    Publication and the other dates are left to staff, who may move any of these before submitting.
    """
    if lot.is_listing:
        notice = _earliest_day(lot, RuleCode.LISTING_NOTICE, at, required=False)
        start = _working_day_at(notice or local_day(at) + timedelta(days=1), lot.listing_start)
        period = next((day for code in (RuleCode.LISTING_PERIOD, RuleCode.DISCLOSURE_PERIOD)
                       if (day := _earliest_day(lot, code, start, required=False))), None)
        if period is None:
            length = (lot.listing_end - lot.listing_start) if lot.listing_start and lot.listing_end else timedelta()
            period = local_day(start + max(length, timedelta(days=1)))
        return {"listing_start": start, "listing_end": _working_day_at(period, lot.listing_end)}
    deadline = _working_day_at(_earliest_day(lot, RuleCode.BID_PREPARATION, at), lot.bid_deadline)
    on_sale = _earliest_day(lot, RuleCode.DOCUMENTS_ON_SALE, at, required=False)
    documents_until = _working_day_at(on_sale, lot.documents_until) if on_sale else None
    if lot.documents_until is None or lot.bid_deadline is None or lot.documents_until >= lot.bid_deadline:
        documents_until = max(documents_until or deadline, deadline)
    return {"bid_deadline": deadline, "documents_until": documents_until}

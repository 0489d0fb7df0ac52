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
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from trading.models import Lot, RuleCode, RuleUnit
from trading.selectors_calendar import rule_find, rule_get
from trading.workdays import deadline_add, local_day


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


def _rule(lot: Lot, code: str, *, required: bool = True):
    """The lot's rule ``code``; a procedure without a row for an optional rule has no such limit
    (e.g. no documents-on-sale period for an inquiry), while a missing required rule is refused."""
    find = rule_get if required else rule_find
    return find(market=lot.project.market_id, procedure=lot.project.procedure, code=code)


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
            message=message % {"n": rule.amount, "unit": RuleUnit(rule.unit).label, "source": rule.source,
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
            message=_("The bid deposit may be at most %(n)s %% of the estimate (%(source)s): at most %(cap)s yuan.")
            % {"n": rule.amount, "source": rule.source, "cap": cap},
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

"""The figures behind the computed indicators of one person and period, read from the platform's own
records (docs/assessment.md says each definition and why).

- **Their steps**: the time-limited steps electronic supervision watches (``monitoring.supervision
  .rules``) that the person did in the period, each with the limit that rule gives it: a review of a
  lot submitted for publication, an answer to a bidder's question, a reply to an objection to the
  documents or to the candidates, a reply to a procurement challenge, the start of an opening, a
  deposit refund, an answer to a supervisor's stop request, an answer to a regulator's inquiry. Who
  did it is the record's own field (``answered_by``, ``replied_by``, ``started_by``, the status
  change's actor) or, for a refund, the actor of its ``deposit.refunded`` event. A step is on time
  when it was done before its limit (limits are exclusive, as everywhere on the platform).
- **Their lots**: the lots the person acted on up to the period's end: every lot an event of theirs
  on the audit chain is about (its subject ``lot:<id>``, or a ``lot`` in its data), and the lots of
  their steps.
- **Alerts on their lots**: alerts raised in the period on their lots by the rules of
  ``COUNTED_ALERT_RULES``, each at the level it reached.
- **Complaints upheld on their lots**: complaints about their lots decided as upheld in the period.
- **Satisfaction of their services**: ``monitoring.ratings.selectors.satisfaction`` of the services
  they rendered in the period (the one definition of the satisfaction rate).
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from bidding.evaluation.models import CandidateObjection
from bidding.sealed.models import OpeningSession
from monitoring.assessment import rules
from monitoring.models import AuditEntry
from monitoring.ratings.selectors import satisfaction
from monitoring.supervision.models import Alert
from monitoring.supervision.rules import ENQUIRY_DAYS, OPENING_GRACE_MINUTES, REVIEW_DAYS
from supervisors.complaints.models import Challenge, Complaint
from supervisors.regulation.models import Inquiry
from supervisors.sessions.models import StopRequest
from trading.models import Deposit, DocumentObjection, Enquiry, Lot, LotStatusChange, User
from trading.workdays import WORKING_DAYS, WorkCalendar, calendar_current, day_end, deadline_add

# How many late steps, alerts and complaints a breakdown lists by reference (the counts are whole).
LISTED = 50


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period from 00:00 of ``start`` to 24:00 of ``end``, China time, as aware instants."""
    return day_end(start - timedelta(days=1)), day_end(end)


@dataclass(frozen=True)
class StepDone:
    kind: str  # the supervision rule's id
    ref: str  # as the rule's alerts name it (``objection:12``)
    lot_id: int | None
    limit: datetime
    done_at: datetime

    @property
    def on_time(self) -> bool:
        return self.done_at < self.limit


@dataclass(frozen=True)
class Who:
    user_id: int

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"


def _in(field: str, since: datetime, until: datetime) -> dict:
    return {f"{field}__gte": since, f"{field}__lt": until}


def _reviews(who: Who, since, until, calendar) -> Iterator[StepDone]:
    """A lot submitted for review is published or sent back within REVIEW_DAYS working days of the
    move into review (its latest before the decision, a resumption aside)."""
    entered = LotStatusChange.objects.filter(lot=OuterRef("lot_id"), target=Lot.Status.PENDING_REVIEW,
                                             at__lte=OuterRef("at")).exclude(transition="resume").order_by("-at", "-pk")
    rows = (LotStatusChange.objects.filter(source=Lot.Status.PENDING_REVIEW, actor=who.actor,
                                           target__in=[Lot.Status.PUBLISHED, Lot.Status.DRAFT], **_in("at", since, until))
            .annotate(entered_id=Subquery(entered.values("pk")[:1]), entered_at=Subquery(entered.values("at")[:1]))
            .values_list("lot_id", "at", "entered_id", "entered_at"))
    for lot_id, at, entered_id, entered_at in rows:
        if entered_at is not None:
            limit = deadline_add(start=entered_at, amount=REVIEW_DAYS, unit=WORKING_DAYS, calendar=calendar).at
            yield StepDone("announcement_review", f"review:{entered_id}", lot_id, limit, at)


def _enquiries(who: Who, since, until, calendar) -> Iterator[StepDone]:
    """A bidder's question is answered within ENQUIRY_DAYS working days, and before the bid deadline
    when that comes first (the supervision rule ``enquiry_answer``)."""
    rows = (Enquiry.objects.filter(answered_by=who.actor, **_in("answered_at", since, until))
            .values_list("pk", "lot_id", "asked_at", "lot__bid_deadline", "answered_at"))
    for pk, lot_id, asked_at, bid_deadline, answered_at in rows:
        limit = deadline_add(start=asked_at, amount=ENQUIRY_DAYS, unit=WORKING_DAYS, calendar=calendar).at
        if bid_deadline is not None and asked_at < bid_deadline < limit:
            limit = bid_deadline
        yield StepDone("enquiry_answer", f"enquiry:{pk}", lot_id, limit, answered_at)


def _stored(kind: str, prefix: str, model, *, by: str, done: str, due: str, lot: str = "lot_id"):
    """Steps whose limit was stored when they began: done by ``who`` in the period."""
    def steps(who: Who, since, until, calendar) -> Iterator[StepDone]:
        doer = {by: who.user_id} if by.endswith("_id") else {by: who.actor}
        rows = model.objects.filter(**doer, **_in(done, since, until)).values_list("pk", lot, due, done)
        for pk, lot_id, limit, done_at in rows:
            if limit is not None:
                yield StepDone(kind, f"{prefix}:{pk}", lot_id, limit, done_at)
    return steps


def _openings(who: Who, since, until, calendar) -> Iterator[StepDone]:
    """An opening starts at the bid deadline, with OPENING_GRACE_MINUTES' grace (``opening_start``)."""
    rows = (OpeningSession.objects.filter(started_by=who.actor, lot__bid_deadline__isnull=False,
                                          **_in("started_at", since, until))
            .values_list("lot_id", "lot__bid_deadline", "started_at"))
    for lot_id, deadline, started_at in rows:
        yield StepDone("opening_start", f"lot:{lot_id}", lot_id, deadline + timedelta(minutes=OPENING_GRACE_MINUTES),
                       started_at)


def _refunds(who: Who, since, until, calendar) -> Iterator[StepDone]:
    """A deposit is refunded by its stored due date (``deposit_refund``); the refund's event names who
    recorded it."""
    ids = [deposit for deposit in AuditEntry.objects.filter(kind="deposit.refunded", actor=who.actor,
                                                            **_in("at", since, until))
           .values_list("data__deposit", flat=True) if isinstance(deposit, int)]
    rows = (Deposit.objects.filter(pk__in=ids, refunded_at__isnull=False, refund_due_at__isnull=False)
            .values_list("pk", "registration__lot_id", "refund_due_at", "refunded_at"))
    for pk, lot_id, limit, refunded_at in rows:
        yield StepDone("deposit_refund", f"deposit:{pk}", lot_id, limit, refunded_at)


STEPS: tuple[Callable[..., Iterator[StepDone]], ...] = (
    _reviews, _enquiries,
    _stored("documents_objection_reply", "objection", DocumentObjection, by="replied_by", done="replied_at",
            due="reply_due_at"),
    _stored("candidates_objection_reply", "candidates_objection", CandidateObjection, by="replied_by",
            done="replied_at", due="reply_due_at"),
    _stored("challenge_reply", "challenge", Challenge, by="replied_by", done="replied_at", due="reply_due_at"),
    _openings, _refunds,
    _stored("stop_request_answer", "stop_request", StopRequest, by="answered_by", done="answered_at",
            due="answer_due_at"),
    _stored("inquiry_answer", "inquiry", Inquiry, by="answered_by_id", done="answered_at", due="due_at"),
)


def steps_done(*, user_id: int, since: datetime, until: datetime,
               calendar: WorkCalendar | None = None) -> list[StepDone]:
    """The person's time-limited steps done in [since, until), by when they were done."""
    calendar = calendar or calendar_current()
    who = Who(user_id)
    found = [step for kind in STEPS for step in kind(who, since, until, calendar)]
    return sorted(found, key=lambda step: (step.done_at, step.kind, step.ref))


def lots_handled(*, user_id: int, until: datetime, steps: list[StepDone] = ()) -> set[int]:
    """The lots the person acted on before ``until``: those their audit events are about, and those
    of ``steps``. One scan of their events."""
    lots = {step.lot_id for step in steps if step.lot_id is not None}
    rows = (AuditEntry.objects.filter(actor=f"user:{user_id}", at__lt=until)
            .filter(Q(subject__startswith="lot:") | Q(data__has_key="lot"))
            .values_list("subject", "data__lot"))
    for subject, lot in rows:
        number = subject[4:] if subject.startswith("lot:") else ""
        if number.isdigit():
            lots.add(int(number))
        elif isinstance(lot, int) and not isinstance(lot, bool):
            lots.add(lot)
    return lots


@dataclass(frozen=True)
class Figure:
    """A computed indicator's value (0–100) and the raw figures it comes from."""
    value: Decimal
    raw: dict


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def on_time_figure(*, steps: list[StepDone]) -> Figure:
    late = [step for step in steps if not step.on_time]
    kinds: dict[str, list[int]] = {}
    for step in steps:
        counts = kinds.setdefault(step.kind, [0, 0])
        counts[0] += 1
        counts[1] += int(step.on_time)
    value = rules.on_time_value(steps=len(steps), on_time=len(steps) - len(late))
    return Figure(value, {
        "steps": len(steps), "on_time": len(steps) - len(late),
        "by_kind": {kind: {"steps": n, "on_time": k} for kind, (n, k) in sorted(kinds.items())},
        "late": [{"kind": step.kind, "ref": step.ref, "lot": step.lot_id, "limit": _iso(step.limit),
                  "done_at": _iso(step.done_at)} for step in late[:LISTED]]})


def alerts_figure(*, lots: set[int], since: datetime, until: datetime) -> Figure:
    rows = list(Alert.objects.filter(lot_id__in=lots, rule__in=rules.COUNTED_ALERT_RULES, **_in("raised_at", since, until))
                .order_by("raised_at", "pk").values_list("pk", "rule", "level", "lot_id"))
    red = sum(1 for _pk, _rule, level, _lot in rows if level == Alert.Level.RED)
    yellow = len(rows) - red
    return Figure(rules.alerts_value(red=red, yellow=yellow), {
        "lots": len(lots), "red": red, "yellow": yellow,
        "points": {"red": str(rules.RED_ALERT_POINTS), "yellow": str(rules.YELLOW_ALERT_POINTS)},
        "alerts": [{"alert": pk, "rule": rule, "level": level, "lot": lot} for pk, rule, level, lot in rows[:LISTED]]})


def complaints_figure(*, lots: set[int], since: datetime, until: datetime) -> Figure:
    rows = list(Complaint.objects.filter(lot_id__in=lots, status=Complaint.Status.DECIDED,
                                         outcome=Complaint.Outcome.UPHELD, **_in("decided_at", since, until))
                .order_by("decided_at", "pk").values_list("pk", "lot_id"))
    return Figure(rules.complaints_value(upheld=len(rows)), {
        "lots": len(lots), "upheld": len(rows), "points": str(rules.UPHELD_COMPLAINT_POINTS),
        "complaints": [{"complaint": pk, "lot": lot} for pk, lot in rows[:LISTED]]})


def satisfaction_figure(*, user_id: int, since: datetime, until: datetime) -> Figure:
    found = satisfaction(since=since, until=until, rendered_by=f"user:{user_id}")
    return Figure(rules.satisfaction_value(rate=found.rate), {
        "rated": found.rated, "satisfied": found.satisfied, "unrated_satisfied": found.unrated_satisfied,
        "counted": found.counted, "rate": None if found.rate is None else str(rules.cents(found.rate * 100))})


def figures_compute(*, person: User, period_start: date, period_end: date) -> dict[str, Figure]:
    """Every computed indicator's figure for ``person`` over the period, by indicator code."""
    since, until = period_bounds(period_start, period_end)
    steps = steps_done(user_id=person.pk, since=since, until=until)
    lots = lots_handled(user_id=person.pk, until=until, steps=steps)
    return {
        "on_time_rate": on_time_figure(steps=steps),
        "alerts": alerts_figure(lots=lots, since=since, until=until),
        "complaints_upheld": complaints_figure(lots=lots, since=since, until=until),
        "satisfaction": satisfaction_figure(user_id=person.pk, since=since, until=until),
    }


"""Electronic supervision's rules (电子监察): every time-limited step the platform watches, and the
audit events that call for an alert by themselves. docs/supervision.md lists each with its source.

A **time rule** yields, for each occurrence of its step that is not done, a ``Step``: what it is
about and the instant its limit falls (exclusive, as everywhere: done in time while ``now < limit``,
``trading.workdays``). Its alert is yellow from ``ALERT_YELLOW`` (the rule table, 1 working day on
the real calendar) before the limit and red once the limit has passed; a step no longer yielded is
done. An **event rule** reads one kind of audit entry and says whether it calls for an alert.

The functions here only read (the other apps' models, the rule table, the calendar); raising,
escalating and resolving are ``monitoring.supervision.services``'.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import AwardProposal, CandidateObjection, Contract, Evaluation
from bidding.sealed.models import OpeningSession
from monitoring.ratings.models import BAD_LEVELS, Rating
from supervisors.complaints.models import Challenge, Complaint
from supervisors.models import Assignment
from supervisors.regulation.models import Inquiry
from supervisors.sessions.models import StopRequest
from supervisors.sessions.selectors import report_due_at, session_ended_at
from trading.models import Deposit, DocumentObjection, Enquiry, Lot, LotStatusChange, RuleCode
from trading.selectors_calendar import lot_published_at, rule_find
from trading.workdays import CHINA, MINUTES, WORKING_DAYS, WorkCalendar, deadline_add, local_day

YELLOW, RED = "yellow", "red"
# The platform's own limits, for steps the law leaves without one (docs/supervision.md).
REVIEW_DAYS = 3  # a lot submitted for review is published or sent back
ENQUIRY_DAYS = 3  # a bidder's question is answered (and never after the bid deadline)
OPENING_GRACE_MINUTES = 30  # the opening starts at the bid deadline (招标投标法 Art 34); this much late is red
EVALUATION_DAYS = 5  # from the opening record to the signed evaluation report
AWARD_REVIEW_DAYS = 5  # the regulator decides a proposal under review
AWARD_NOTICE_DAYS = 7  # from the publicity's end to the award notice (财政部令第87号 Arts 68–69: 5 + 2)
# Lots that ended without a deal: their steps no longer wait for anyone.
ENDED = (Lot.Status.FAILED, Lot.Status.CANCELLED, Lot.Status.TERMINATED)


@dataclass(frozen=True)
class Step:
    """One open occurrence of a time-limited step. ``ref`` names it (``objection:12``) and is the
    alert's subject; ``limit`` is aware UTC."""
    ref: str
    limit: datetime
    lot_id: int | None = None
    market_id: str | None = None


@dataclass(frozen=True)
class TimeRule:
    id: str
    label: str
    source: str
    steps: Callable[[datetime, WorkCalendar], Iterable[Step]]
    # False where nearing the limit is no news (a stop request is answered within minutes; the
    # platform moves a publicity's end itself): only an overdue step raises an alert.
    yellow: bool = True


@dataclass(frozen=True)
class EventRule:
    id: str
    label: str
    source: str
    kinds: tuple[str, ...]
    level: str
    # Which of the entry's data the alert keeps (the entry itself stays on the chain).
    keep: tuple[str, ...] = ()
    # entry -> whether it calls for an alert; every entry of ``kinds`` does unless this says no.
    applies: Callable[[object], bool] | None = None


def yellow_from(*, limit: datetime, amount: int, unit: str, calendar: WorkCalendar) -> datetime:
    """When an alert turns yellow: ``amount`` units before ``limit``. Working days are counted back
    on the real calendar from the limit's own day, keeping the time of day: a limit at 24:00 of a
    Friday (00:00 Saturday) is yellow from 00:00 Friday; one after a holiday week, from the start of
    the last working day before it."""
    if unit == MINUTES:
        return limit - timedelta(minutes=amount)
    local = limit.astimezone(CHINA)
    if unit == WORKING_DAYS:
        day = calendar.add_working_days(local_day(limit), -amount)
    else:
        day = local.date() - timedelta(days=amount)
    return local.replace(year=day.year, month=day.month, day=day.day)


def level_at(*, now: datetime, limit: datetime, yellow_at: datetime | None) -> str | None:
    """The alert's level at ``now``: red once the limit has passed, yellow from ``yellow_at``."""
    if now >= limit:
        return RED
    if yellow_at is not None and now >= yellow_at:
        return YELLOW
    return None


def _working_days_after(start: datetime, days: int, calendar: WorkCalendar) -> datetime:
    return deadline_add(start=start, amount=days, unit=WORKING_DAYS, calendar=calendar).at


def in_status(status: str, path: str = "") -> Q:
    """A lot in ``status``, or suspended from it: a suspension (an objection, a complaint, an order)
    does not stop the step's clock, and the alert stays while the lot waits."""
    return Q(**{f"{path}status": status}) | Q(**{f"{path}status": Lot.Status.SUSPENDED,
                                                 f"{path}suspended_from": status})


def _entered(status: str, column: str) -> Subquery:
    """The lot's latest move into ``status`` other than a resumption: its ``pk`` or ``at``."""
    return Subquery(LotStatusChange.objects.filter(lot=OuterRef("pk"), target=status).exclude(transition="resume")
                    .order_by("-at", "-pk").values(column)[:1])


def _lots_entered(status: str, **exclude):
    """Lots in ``status`` or suspended from it (less those matching ``exclude``): id, market, the
    move into it and when."""
    lots = Lot.objects.filter(in_status(status)).exclude(**exclude)
    return (lots.annotate(change_id=_entered(status, "pk"), since=_entered(status, "at"))
            .values_list("pk", "project__market_id", "change_id", "since"))


# --- the time rules -----------------------------------------------------------------------------------

def announcement_review(now, calendar):
    for lot_id, market, change_id, since in _lots_entered(Lot.Status.PENDING_REVIEW):
        yield Step(f"review:{change_id}", _working_days_after(since, REVIEW_DAYS, calendar), lot_id, market)


def enquiry_answer(now, calendar):
    rows = (Enquiry.objects.filter(answered_at__isnull=True).exclude(lot__status__in=ENDED)
            .values_list("pk", "lot_id", "lot__project__market_id", "asked_at", "lot__bid_deadline"))
    for pk, lot_id, market, asked_at, bid_deadline in rows:
        limit = _working_days_after(asked_at, ENQUIRY_DAYS, calendar)
        if bid_deadline is not None and asked_at < bid_deadline < limit:
            limit = bid_deadline
        yield Step(f"enquiry:{pk}", limit, lot_id, market)


def _stored(model, prefix: str, due: str, **open_filter):
    """Steps whose limit the platform stored when the step began (``due`` names the field)."""
    rows = (model.objects.filter(**open_filter).exclude(lot__status__in=ENDED)
            .values_list("pk", "lot_id", "lot__project__market_id", due))
    return (Step(f"{prefix}:{pk}", limit, lot_id, market) for pk, lot_id, market, limit in rows if limit)


def documents_objection_reply(now, calendar):
    return _stored(DocumentObjection, "objection", "reply_due_at", replied_at__isnull=True)


def candidates_objection_reply(now, calendar):
    return _stored(CandidateObjection, "candidates_objection", "reply_due_at", replied_at__isnull=True)


def challenge_reply(now, calendar):
    return _stored(Challenge, "challenge", "reply_due_at", status=Challenge.Status.FILED)


def complaint_acceptance(now, calendar):
    return _stored(Complaint, "complaint", "acceptance_due_at", status=Complaint.Status.FILED)


def complaint_decision(now, calendar):
    return _stored(Complaint, "complaint", "decision_due_at", status=Complaint.Status.ACCEPTED)


def opening_start(now, calendar):
    rows = (Lot.objects.filter(in_status(Lot.Status.CLOSED), opening_key__isnull=False, opening_session__isnull=True,
                               bid_deadline__isnull=False)
            .values_list("pk", "project__market_id", "bid_deadline"))
    for lot_id, market, deadline in rows:
        yield Step(f"lot:{lot_id}", deadline + timedelta(minutes=OPENING_GRACE_MINUTES), lot_id, market)


def evaluation_duration(now, calendar):
    for lot_id, market, _change, since in _lots_entered(Lot.Status.EVALUATION,
                                                        evaluation__status=Evaluation.Status.REPORTED):
        yield Step(f"lot:{lot_id}", _working_days_after(since, EVALUATION_DAYS, calendar), lot_id, market)


def candidates_publicity_start(now, calendar):
    evaluations = (Evaluation.objects.filter(in_status(Lot.Status.EVALUATION, "lot__"),
                                             status=Evaluation.Status.REPORTED)
                   .select_related("lot__project__procedure"))
    for evaluation in evaluations:
        lot = evaluation.lot
        rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                         code=RuleCode.CANDIDATES_PUBLICITY_START, at=lot_published_at(lot=lot))
        if rule is not None:
            limit = deadline_add(start=evaluation.reported_at, amount=rule.amount, unit=rule.unit,
                                 calendar=calendar).at
            yield Step(f"lot:{lot.pk}", limit, lot.pk, lot.project.market_id)


def publicity_end(now, calendar):
    rows = (Lot.objects.filter(status=Lot.Status.PUBLICITY, publicity_end__isnull=False)
            .values_list("pk", "project__market_id", "publicity_end"))
    return (Step(f"lot:{lot_id}", end, lot_id, market) for lot_id, market, end in rows)


def award_review(now, calendar):
    rows = (AwardProposal.objects.filter(status=AwardProposal.Status.UNDER_REVIEW)
            .values_list("pk", "lot_id", "lot__project__market_id", "proposed_at"))
    for pk, lot_id, market, proposed_at in rows:
        limit = _working_days_after(proposed_at, AWARD_REVIEW_DAYS, calendar)
        yield Step(f"award_proposal:{pk}", limit, lot_id, market)


def award_notice(now, calendar):
    for lot_id, market, change_id, since in _lots_entered(Lot.Status.AWARD_REVIEW):
        yield Step(f"award:{change_id}", _working_days_after(since, AWARD_NOTICE_DAYS, calendar), lot_id, market)


def contract_signing(now, calendar):
    rows = (Contract.objects.filter(recorded_at__isnull=True, proposal__status=AwardProposal.Status.APPROVED)
            .values_list("pk", "proposal__lot_id", "proposal__lot__project__market_id", "due_at"))
    return (Step(f"contract:{pk}", due_at, lot_id, market) for pk, lot_id, market, due_at in rows)


def deposit_refund(now, calendar):
    rows = (Deposit.objects.filter(status=Deposit.Status.REFUND_DUE, refund_due_at__isnull=False)
            .values_list("pk", "registration__lot_id", "registration__lot__project__market_id", "refund_due_at"))
    return (Step(f"deposit:{pk}", due, lot_id, market) for pk, lot_id, market, due in rows)


def observation_report(now, calendar):
    """A supervisor who accepted a seat for a session files the report within ``observation_report``
    of the session's end, as the sessions part counts it (``supervisors.sessions.selectors``)."""
    seats = (Assignment.objects.filter(revoked_at__isnull=True, accepted_at__isnull=False, report__isnull=True)
             .exclude(session_kind="").exclude(lot__status__in=ENDED).select_related("lot__project__procedure"))
    for seat in seats:
        ended = session_ended_at(lot=seat.lot, session_kind=seat.session_kind)
        due = report_due_at(lot=seat.lot, ended_at=ended) if ended is not None and ended <= now else None
        if due is not None:
            yield Step(f"assignment:{seat.pk}", due, seat.lot_id, seat.lot.project.market_id)


def stop_request_answer(now, calendar):
    rows = (StopRequest.objects.filter(answered_at__isnull=True)
            .values_list("pk", "lot_id", "lot__project__market_id", "answer_due_at"))
    return (Step(f"stop_request:{pk}", due, lot_id, market) for pk, lot_id, market, due in rows)


def inquiry_answer(now, calendar):
    rows = (Inquiry.objects.filter(answered_at__isnull=True)
            .values_list("pk", "lot_id", "lot__project__market_id", "due_at"))
    return (Step(f"inquiry:{pk}", due, lot_id, market) for pk, lot_id, market, due in rows)


def rating_answer(now, calendar):
    """A bad service rating (不满意 or worse) awaits the centre's answer until ``answer_due_at``
    (rule ``rating_answer``, set when it was given)."""
    rows = (Rating.objects.filter(level__in=BAD_LEVELS, answered_at__isnull=True, answer_due_at__isnull=False)
            .values_list("pk", "service__lot_id", "service__market_id", "answer_due_at"))
    return (Step(f"rating:{pk}", due, lot_id, market) for pk, lot_id, market, due in rows)


IMPL = "招标投标法实施条例"
TIME_RULES: tuple[TimeRule, ...] = (
    TimeRule("announcement_review", _("Lot awaiting review before publication"),
             _("Platform rule: published or sent back within 3 working days"), announcement_review),
    TimeRule("enquiry_answer", _("Bidder's question not answered"),
             _("Platform rule: answered within 3 working days, and before the bid deadline"), enquiry_answer),
    TimeRule("documents_objection_reply", _("Objection to the tender documents not answered"),
             f"{IMPL} Art 22 (rule documents_objection_reply)", documents_objection_reply),
    TimeRule("candidates_objection_reply", _("Objection to the candidates not answered"),
             f"{IMPL} Art 54 (rule candidates_objection_reply)", candidates_objection_reply),
    TimeRule("challenge_reply", _("Procurement challenge not answered"),
             "政府采购法 Art 53 (rule challenge_reply)", challenge_reply),
    TimeRule("complaint_acceptance", _("Complaint not accepted or refused"),
             f"{IMPL} Art 61; 财政部令第94号 Art 21 (rule complaint_acceptance)", complaint_acceptance),
    TimeRule("complaint_decision", _("Complaint not decided"),
             f"{IMPL} Art 61; 政府采购法 Art 56 (rule complaint_decision)", complaint_decision),
    TimeRule("opening_start", _("Opening not started after the bid deadline"),
             _("招标投标法 Art 34 (the opening starts at the bid deadline); platform rule: 30 minutes' grace"),
             opening_start, yellow=False),
    TimeRule("evaluation_duration", _("Evaluation not reported"),
             _("Platform rule: the evaluation report is signed within 5 working days of the opening"),
             evaluation_duration),
    TimeRule("candidates_publicity_start", _("Candidates not published after the evaluation report"),
             f"{IMPL} Art 54 (rule candidates_publicity_start)", candidates_publicity_start),
    TimeRule("publicity_end", _("Candidate publicity not ended on time"),
             f"{IMPL} Art 54 (rule candidates_publicity_length)", publicity_end, yellow=False),
    TimeRule("award_review", _("Award proposal not reviewed by the regulator"),
             _("Platform rule: the regulator decides within 5 working days"), award_review),
    TimeRule("award_notice", _("Award notice not issued after the publicity"),
             _("Platform rule after 财政部令第87号 Arts 68–69: within 7 working days of the publicity's end"),
             award_notice),
    TimeRule("contract_signing", _("Contract not signed in time"),
             "招标投标法 Art 46; 政府采购法 Art 46 (rule contract_signing)", contract_signing),
    TimeRule("deposit_refund", _("Bid deposit not refunded in time"), f"{IMPL} Art 57 (rule deposit_refund)",
             deposit_refund),
    TimeRule("observation_report", _("Supervisor's observation report missing"),
             _("Platform rule observation_report: 2 working days after the session"), observation_report),
    TimeRule("stop_request_answer", _("Stop request not answered"),
             _("Platform rule stop_request_answer: 10 minutes"), stop_request_answer, yellow=False),
    TimeRule("inquiry_answer", _("Regulator's inquiry not answered"),
             _("Platform rule inquiry_answer: 5 working days"), inquiry_answer),
    TimeRule("rating_answer", _("Bad service rating not answered"),
             "国办发〔2019〕51号 (rule rating_answer)", rating_answer),
)


# --- the event rules ----------------------------------------------------------------------------------

def opened_late(entry) -> bool:
    """An opening's ``session.started`` more than the grace after the lot's bid deadline."""
    data = entry.data or {}
    if data.get("room") != "opening" or not isinstance(data.get("lot"), int):
        return False
    row = (OpeningSession.objects.filter(lot_id=data["lot"]).values_list("started_at", "lot__bid_deadline").first())
    return bool(row and row[1] and row[0] > row[1] + timedelta(minutes=OPENING_GRACE_MINUTES))


def on_lot(entry) -> bool:
    """The entry under the lot's own subject (a session's event is also told to its auction's room)."""
    return entry.subject.startswith("lot:")


EVENT_RULES: tuple[EventRule, ...] = (
    EventRule("sealed_access_refused", _("Refused attempt to read sealed data"),
              _("招标投标法 Arts 22, 34 (bids stay sealed until the opening)"),
              ("sealed.access_refused",), RED, keep=("code", "lot")),
    EventRule("auction_start_held", _("Major auction held: no official present"),
              _("Platform rule (重大项目现场监督): a major session starts only with an official checked in"),
              ("auction.start_held",), RED, keep=("code", "lot")),
    EventRule("custodian_passphrase_failed", _("Custodian's passphrase failed"),
              _("Platform rule: a failed unlock of an opening-key share"),
              ("custodian.passphrase_failed",), YELLOW, keep=("lot", "session")),
    EventRule("opening_late", _("Opening started late"),
              _("招标投标法 Art 34; platform rule: more than 30 minutes after the bid deadline"),
              ("session.started",), RED, keep=("lot", "code"), applies=opened_late),
    EventRule("stop_request_raised", _("Supervisor raised a stop request"),
              _("Platform rule: a social supervisor's stop request"),
              ("supervision.stop_requested",), RED, keep=("stop_request", "session"), applies=on_lot),
    EventRule("bidder_key_failing", _("A bidder's key check keeps failing"),
              _("电子招标投标办法 Art 31; platform rule: a bidder who cannot unlock its key is warned before "
                "the opening (docs/bidder-keys.md)"),
              ("bidder_key.proof_failed_repeatedly",), YELLOW, keep=("lot", "registration", "failures")),
    EventRule("bidder_key_shared", _("One key registered by two bidders"),
              _("招标投标法实施条例 Art 40 (signs of collusion); platform rule: every bidder makes its own key"),
              ("bidder_key.refused",), RED, keep=("lot", "registration", "code")),
    EventRule("hall_refused", _("Repeated refused attempts in an opening hall"),
              _("电子招标投标办法 Art 29–31; platform rule: refused check-ins, releases or confirmations "
                "(docs/opening-hall.md)"),
              ("hall.refused_repeatedly",), YELLOW, keep=("lot", "code", "refusals")),
    EventRule("red_flag", _("Integrity red flag"),
              _("The platform's integrity rules"),
              ("integrity.flag_raised",), RED, keep=("lot", "flag", "rule")),
    EventRule("role_refused", _("Refused role grant"),
              _("Separation of duties (管办分离)"),
              ("role.refused",), YELLOW, keep=("role", "action", "code")),
    EventRule("award_review_refused", _("Refused award review"),
              _("Separation of duties (管办分离)"),
              ("award.review_refused",), YELLOW, keep=("proposal", "code")),
)

RULES: dict[str, TimeRule | EventRule] = {rule.id: rule for rule in (*TIME_RULES, *EVENT_RULES)}
# audit kind -> the event rules that read it
EVENT_KINDS: dict[str, tuple[EventRule, ...]] = {
    kind: tuple(rule for rule in EVENT_RULES if kind in rule.kinds) for rule in EVENT_RULES for kind in rule.kinds}


def rule_label(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.label if rule else rule_id

"""Procurement challenges (质疑) and complaints (投诉): filing, the purchaser's reply, and the
regulator's acceptance or refusal, suspension order and decision.

Limits come from the rule table of the lot's market and procedure, counted over the working-day
calendar (``trading.workdays``): a complaint within ``complaint_filing`` of the day the
complainant knew (招标投标法实施条例 Art 60), or, where the procedure takes challenges (procurement),
after its own challenge was replied to or its reply period ended and within ``complaint_filing``
of that period's end (政府采购法 Art 55); acceptance within ``complaint_acceptance`` of receipt; a
decision within ``complaint_decision`` of acceptance (实施条例 Art 61) or of receipt (政府采购法
Art 56). Late steps of the purchaser or the regulator are taken and marked late in their event.

Every step is one transaction with one event under ``complaint:<id>`` or ``challenge:<id>``, the
lot's id in its data. Filings are recorded under ``WITHHELD_ACTOR`` with the filer in the data,
as objections are, so the lot's room never names a complainant. A regulator's suspension order is
a hold on the lot (``trading.services.holds``): the lot resumes when the decision releases it and
no other hold remains. Callers check roles (regulators decide complaints, staff reply to
challenges); only who may file is decided here, from the lot's registrations.

Lock order, as everywhere on a lot: the lot (``lot_lock``), then the challenge or complaint.
"""
import hashlib
from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import WITHHELD_ACTOR, actor_of, record
from supervisors.complaints.selectors import complaint_may_file, complaint_terms, ComplaintTerms
from supervisors.errors import SupervisionError
from supervisors.errors import SupervisionErrorCode as Code
from supervisors.complaints.models import Challenge, Complaint
from trading import clock
from trading.models import Lot, LotHold, RuleCode, RuleUnit
from trading.selectors_calendar import lot_published_at, rule_find, rule_get
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.moves import lot_lock, lot_move
from trading.services_calendar import deadline_compute
from trading.workdays import CHINA, Deadline, local_day

TEXT_MAX = 5000
TITLE_MAX = 300


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _text_clean(text, *, field: str, required_message, limit: int = TEXT_MAX) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise SupervisionError(Code.TEXT_REQUIRED, required_message, fields={field: [str(required_message)]})
    if len(text) > limit or "\x00" in text:
        message = _("At most %(n)s characters of plain text, please.") % {"n": limit}
        raise SupervisionError(Code.TEXT_TOO_LONG, message, fields={field: [str(message)]})
    return text


def _known_on_clean(known_on, now: datetime) -> date:
    if not isinstance(known_on, date) or isinstance(known_on, datetime) or known_on > local_day(now):
        raise SupervisionError(Code.KNOWN_ON_INVALID,
                               _("Give the day you knew of the act, today or earlier."))
    return known_on


def _day_start(day: date) -> datetime:
    """An instant on ``day`` in China: periods count whole days from the day itself."""
    return datetime.combine(day, time(12), tzinfo=CHINA)


def _period(lot: Lot, code: str, start: datetime) -> Deadline:
    rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                    at=lot_published_at(lot=lot))
    return deadline_compute(start=start, amount=rule.amount, unit=rule.unit)


def _out_of_time(lot: Lot, code: str, deadline: Deadline, *, error_code: str, what) -> SupervisionError:
    rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                    at=lot_published_at(lot=lot))
    return SupervisionError(
        error_code,
        _("%(what)s must be filed within %(n)s %(unit)s (%(source)s): the last day was %(last_day)s.")
        % {"what": what, "n": rule.amount, "unit": RuleUnit(rule.unit).label, "source": rule.source_text,
           "last_day": deadline.last_day.isoformat()},
        status=409)


def _interested_party(lot: Lot, user, *, message) -> None:
    """Bidders of an organisation that registered for the lot, whatever became of the registration:
    one refused at pre-qualification is the first to have something to complain of."""
    if not complaint_may_file(lot=lot, user=user):
        raise SupervisionError(Code.NOT_INTERESTED_PARTY, message, status=403)


# --- challenges (质疑) --------------------------------------------------------------------------------

def challenge_file(*, lot_id: int, user, matter: str, grounds: str, known_on: date) -> Challenge:
    """A supplier registered for a procurement lot challenges it within the filing rule's working
    days of the day it knew; the reply is due within the reply rule's working days. The lot is not
    suspended (staff may still order it)."""
    matter = _text_clean(matter, field="matter", required_message=_("Say what you challenge."), limit=TITLE_MAX)
    grounds = _text_clean(grounds, field="grounds", required_message=_("Give the facts and grounds."))
    now = clock.now()
    known_on = _known_on_clean(known_on, now)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        filing_rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                                code=RuleCode.CHALLENGE_FILING, at=lot_published_at(lot=lot))
        if filing_rule is None:
            raise SupervisionError(Code.CHALLENGE_NOT_APPLICABLE,
                                   _("Challenges are made in government procurement; file a complaint instead."),
                                   status=409)
        _interested_party(lot, user, message=_("Only suppliers registered for this lot may challenge it."))
        window = _period(lot, RuleCode.CHALLENGE_FILING, _day_start(known_on))
        if now >= window.at:
            raise _out_of_time(lot, RuleCode.CHALLENGE_FILING, window, error_code=Code.CHALLENGE_FILING,
                               what=_("A challenge"))
        reply_due = _period(lot, RuleCode.CHALLENGE_REPLY, now)
        challenge = Challenge.objects.create(
            lot=lot, organisation=user.organisation, filed_by=user, matter=matter, grounds=grounds,
            known_on=known_on, filed_at=now, reply_due_at=reply_due.at, reply_due_provisional=reply_due.provisional)
        record(kind="challenge.filed", actor=WITHHELD_ACTOR, subject=f"challenge:{challenge.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "organisation": user.organisation_id,
                     "known_on": known_on.isoformat(), "matter_sha256": _sha256(matter),
                     "grounds_sha256": _sha256(grounds), "reply_due_at": reply_due.at.isoformat(),
                     "provisional": reply_due.provisional})
    return challenge


def _locked(model, pk: int, *, code: str, message):
    """The lot's lock, then the row's: the lock order of every step on a lot."""
    lot_id = model.objects.filter(pk=pk).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise SupervisionError(code, message, status=404)
    lot = lot_lock(lot_id)
    return lot, model.objects.select_for_update().get(pk=pk)


def challenge_reply(*, challenge_id: int, reply: str, actor: str) -> Challenge:
    """The purchaser's side (staff) replies in writing; a late reply is taken and marked late."""
    reply = _text_clean(reply, field="reply", required_message=_("Write the reply."))
    with transaction.atomic():
        lot, challenge = _locked(Challenge, challenge_id, code=Code.CHALLENGE_NOT_FOUND,
                                 message=_("There is no such challenge."))
        if challenge.status != Challenge.Status.FILED:
            raise SupervisionError(Code.CHALLENGE_ALREADY_REPLIED, _("This challenge has already been replied to."),
                                   status=409)
        challenge.answer()
        challenge.reply, challenge.replied_at, challenge.replied_by = reply, clock.now(), actor
        challenge.save()
        record(kind="challenge.replied", actor=actor, subject=f"challenge:{challenge.pk}",
               data={"lot": lot.pk, "reply_sha256": _sha256(reply), "late": challenge.replied_late,
                     "reply_due_at": challenge.reply_due_at.isoformat()})
    return challenge


# --- complaints (投诉) --------------------------------------------------------------------------------

def _complaint_window(lot: Lot, terms: ComplaintTerms, *, known_on: date, challenge: Challenge | None,
                      now: datetime) -> Deadline:
    """The end of the filing period, or a refusal when the complaint is out of time or too early."""
    if not terms.challenge_first:
        return _period(lot, RuleCode.COMPLAINT_FILING, _day_start(known_on))
    if challenge is None:
        raise SupervisionError(Code.CHALLENGE_REQUIRED,
                               _("In government procurement a complaint follows your own challenge: choose the "
                                 "challenge it follows."), status=409)
    if challenge.status == Challenge.Status.FILED and now < challenge.reply_due_at:
        raise SupervisionError(
            Code.CHALLENGE_REPLY_PENDING,
            _("Your challenge awaits its reply, due by the end of %(day)s; a complaint can follow the reply or "
              "that day.") % {"day": challenge.reply_last_day.isoformat()}, status=409)
    # 政府采购法 Art 55 counts from the end of the reply period, whether the reply came or not.
    return _period(lot, RuleCode.COMPLAINT_FILING, _day_start(challenge.reply_last_day))


def complaint_file(*, lot_id: int, user, act: str, grounds: str, known_on: date,
                   challenge_id: int | None = None) -> Complaint:
    """A bidder of an organisation registered for the lot complains to the regulator about an act
    in its procedure. Out of time, it is refused here and nothing is recorded; in time, the
    acceptance is due within the acceptance rule's working days (and, in procurement, the decision
    within the decision rule's, both from receipt)."""
    act = _text_clean(act, field="act", required_message=_("Name the act you complain of."), limit=TITLE_MAX)
    grounds = _text_clean(grounds, field="grounds", required_message=_("Give the facts and grounds."))
    now = clock.now()
    known_on = _known_on_clean(known_on, now)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        _interested_party(lot, user, message=_("Only bidders registered for this lot may complain about it."))
        terms = complaint_terms(lot=lot)
        challenge = None
        if terms.challenge_first and challenge_id is not None:
            challenge = Challenge.objects.filter(pk=challenge_id, lot=lot, organisation=user.organisation).first()
            if challenge is None:
                raise SupervisionError(Code.CHALLENGE_NOT_FOUND,
                                       _("Your organisation made no such challenge to this lot."), status=404)
        window = _complaint_window(lot, terms, known_on=known_on, challenge=challenge, now=now)
        if now >= window.at:
            raise _out_of_time(lot, RuleCode.COMPLAINT_FILING, window, error_code=Code.COMPLAINT_FILING,
                               what=_("A complaint"))
        acceptance = _period(lot, RuleCode.COMPLAINT_ACCEPTANCE, now)
        decision = _period(lot, RuleCode.COMPLAINT_DECISION, now) if terms.decision_from_filing else None
        complaint = Complaint.objects.create(
            lot=lot, organisation=user.organisation, filed_by=user, challenge=challenge, act=act, grounds=grounds,
            known_on=known_on, filed_at=now, acceptance_due_at=acceptance.at,
            acceptance_due_provisional=acceptance.provisional,
            decision_due_at=decision.at if decision else None,
            decision_due_provisional=decision.provisional if decision else False)
        record(kind="complaint.filed", actor=WITHHELD_ACTOR, subject=f"complaint:{complaint.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "organisation": user.organisation_id,
                     "challenge": challenge.pk if challenge else None, "known_on": known_on.isoformat(),
                     "act_sha256": _sha256(act), "grounds_sha256": _sha256(grounds),
                     "filing_due_at": window.at.isoformat(), "acceptance_due_at": acceptance.at.isoformat(),
                     "decision_due_at": decision.at.isoformat() if decision else None,
                     "provisional": acceptance.provisional or bool(decision and decision.provisional)})
    return complaint


def _complaint_locked(complaint_id: int) -> tuple[Lot, Complaint]:
    return _locked(Complaint, complaint_id, code=Code.COMPLAINT_NOT_FOUND, message=_("There is no such complaint."))


def _status_refused(complaint: Complaint, step) -> SupervisionError:
    return SupervisionError(Code.COMPLAINT_STATUS,
                            _("A complaint that is “%(status)s” cannot be %(step)s.")
                            % {"status": complaint.get_status_display(), "step": step}, status=409)


def _hold(lot: Lot, complaint: Complaint, actor: str) -> None:
    """The regulator's suspension order, as a hold of the complaint on the lot."""
    lot_hold(lot=lot, reason=LotHold.Reason.COMPLAINT, subject=f"complaint:{complaint.pk}", actor=actor)


def complaint_accept(*, complaint_id: int, actor: str, suspend: bool = False) -> Complaint:
    """The regulator accepts the complaint (late if at or after the acceptance's due instant) and,
    with ``suspend``, orders the lot suspended until the decision."""
    now = clock.now()
    with transaction.atomic():
        lot, complaint = _complaint_locked(complaint_id)
        if complaint.status != Complaint.Status.FILED:
            raise _status_refused(complaint, _("accepted"))
        complaint.accept()
        complaint.reviewed_at, complaint.reviewed_by = now, actor
        if complaint.decision_due_at is None:
            decision = _period(lot, RuleCode.COMPLAINT_DECISION, now)
            complaint.decision_due_at, complaint.decision_due_provisional = decision.at, decision.provisional
        complaint.save()
        record(kind="complaint.accepted", actor=actor, subject=f"complaint:{complaint.pk}",
               data={"lot": lot.pk, "late": complaint.reviewed_late,
                     "acceptance_due_at": complaint.acceptance_due_at.isoformat(),
                     "decision_due_at": complaint.decision_due_at.isoformat(),
                     "provisional": complaint.decision_due_provisional, "suspends_lot": suspend})
        if suspend:
            _hold(lot, complaint, actor)
    return complaint


def complaint_refuse(*, complaint_id: int, reasons: str, actor: str) -> Complaint:
    """The regulator refuses the complaint, with reasons; the lot is not touched."""
    reasons = _text_clean(reasons, field="reasons", required_message=_("Give the reasons for the refusal."))
    with transaction.atomic():
        lot, complaint = _complaint_locked(complaint_id)
        if complaint.status != Complaint.Status.FILED:
            raise _status_refused(complaint, _("refused"))
        complaint.refuse()
        complaint.reviewed_at, complaint.reviewed_by, complaint.refusal_reasons = clock.now(), actor, reasons
        complaint.save()
        record(kind="complaint.refused", actor=actor, subject=f"complaint:{complaint.pk}",
               data={"lot": lot.pk, "late": complaint.reviewed_late, "reasons_sha256": _sha256(reasons),
                     "acceptance_due_at": complaint.acceptance_due_at.isoformat()})
    return complaint


def complaint_suspend(*, complaint_id: int, actor: str) -> Complaint:
    """The regulator orders the lot suspended while an accepted complaint is handled."""
    with transaction.atomic():
        lot, complaint = _complaint_locked(complaint_id)
        if complaint.status != Complaint.Status.ACCEPTED:
            raise _status_refused(complaint, _("the ground of a suspension"))
        if LotHold.objects.filter(lot=lot, subject=f"complaint:{complaint.pk}", released_at__isnull=True).exists():
            raise SupervisionError(Code.COMPLAINT_ALREADY_HOLDS,
                                   _("The lot is already suspended for this complaint."), status=409)
        was = lot.status
        _hold(lot, complaint, actor)
        record(kind="complaint.suspension_ordered", actor=actor, subject=f"complaint:{complaint.pk}",
               data={"lot": lot.pk, "lot_status": was})
    return complaint


def complaint_decide(*, complaint_id: int, outcome: str, reasons: str, actor: str,
                     terminate: bool = False) -> Complaint:
    """The regulator's written decision (late if at or after its due instant). It releases the
    complaint's hold, which resumes the lot unless another hold remains; an upheld complaint may
    instead terminate the lot."""
    if outcome not in Complaint.Outcome.values:
        raise SupervisionError(Code.OUTCOME_INVALID, _("The decision upholds or dismisses the complaint."))
    reasons = _text_clean(reasons, field="reasons", required_message=_("Give the reasons for the decision."))
    if terminate and outcome != Complaint.Outcome.UPHELD:
        raise SupervisionError(Code.TERMINATE_NEEDS_UPHELD, _("Only an upheld complaint can terminate the lot."))
    with transaction.atomic():
        lot, complaint = _complaint_locked(complaint_id)
        if complaint.status != Complaint.Status.ACCEPTED:
            raise _status_refused(complaint, _("decided"))
        complaint.decide()
        complaint.decided_at, complaint.decided_by = clock.now(), actor
        complaint.outcome, complaint.decision_reasons, complaint.terminated_lot = outcome, reasons, terminate
        complaint.save()
        subject = f"complaint:{complaint.pk}"
        if terminate:
            # Terminated first, so that releasing the hold afterwards cannot resume the lot.
            lot_move(lot, "terminate", actor=actor, data={"reason": LotHold.Reason.COMPLAINT.value})
        resumed = lot_hold_release(lot=lot, subject=subject, actor=actor,
                                   data={"reason": "complaint_decided"})
        record(kind="complaint.decided", actor=actor, subject=subject,
               data={"lot": lot.pk, "outcome": outcome, "reasons_sha256": _sha256(reasons),
                     "late": complaint.decided_late, "decision_due_at": complaint.decision_due_at.isoformat(),
                     "terminates_lot": terminate, "resumes_lot": resumed})
    return complaint

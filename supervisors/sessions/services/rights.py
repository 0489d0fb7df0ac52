"""A seated supervisor's rights during a session (DESIGN §7): a stop request staff must answer on the
record within the rule table's minutes, a question to the centre's liaison, an objection.

Who may act: a person holding the supervisor role with an active seat on the lot (an
``Assignment`` not revoked; a drawn seat only once accepted and only for the session it was drawn
for; staff's direct assignment covers every session of the lot), and, where the registry knows
them, appointed and within their term. Anyone else is refused with a code of ``SessionErrorCode``,
and the refusal is recorded on the audit chain (``supervision.refused`` under ``user:<pk>``) in its
own committed transaction, so the attempt leaves its trace and changes nothing else.

Where it shows: a stop request, its answer and an objection are events of the lot (``lot:<id>``,
and the auction's subject for an auction), which every member of the lot's live room receives and
the lot's public audit extract holds. Their data never names the supervisor (``raised_by``:
"social_supervisor"); staff and regulators read names on their pages. A question to the liaison
and its answer are on the record under ``liaison_question:<id>``, not in the room.

A stop answered "stopped" is staff's own suspension order on the lot (``LotHold`` reason "order",
subject ``lot:<id>``, as ``trading.services.lots.lot_suspend``): the lot stays suspended until
staff resume it with the lot's usual Resume, which lifts that order.

Lock order: the lot (``lot_lock``), then the request or question, then the audit chain's head.
"""
import contextlib

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.events import actor_of, record
from supervisors.models import Assignment
from supervisors.registry.models import SessionKind, Supervisor
from supervisors.sessions.errors import SessionError
from supervisors.sessions.errors import SessionErrorCode as Code
from supervisors.sessions.models import LiaisonQuestion, SessionObjection, StopRequest
from supervisors.sessions.rules import LIVE_STATUSES, TEXT_MAX
from supervisors.sessions.selectors import (PUBLIC_SUPERVISOR, auction_id_of, seat_fits, seats_of, staff_users,
                                            supervisor_profile)
from trading import clock
from trading.models import Lot, LotHold, Role, RuleCode
from trading.selectors_calendar import lot_published_at, rule_get
from trading.selectors_holds import lot_holds_open
from trading.services.holds import lot_hold
from trading.services.lots import lot_order_subject
from trading.services.moves import lot_lock
from trading.services.notifications import notify
from trading.workdays import CHINA, deadline_add, local_day


@contextlib.contextmanager
def refusals_audited(*, action: str, user, lot_id: int | None = None, session_kind: str = ""):
    """Run a step; when it is refused for want of a right (403), record the refusal in a committed
    transaction of its own (the step's own transaction has rolled back by then) and re-raise."""
    try:
        yield
    except SessionError as error:
        if error.status == 403:
            with transaction.atomic():
                record(kind="supervision.refused", actor=actor_of(user),
                       subject=f"user:{user.pk}" if getattr(user, "pk", None) else "",
                       data={"action": action, "lot": lot_id, "session": session_kind, "code": error.code})
        raise


def _forbidden(code: Code, message) -> SessionError:
    return SessionError(code, message, status=403)


def session_check(session_kind) -> str:
    if session_kind not in SessionKind.values:
        raise SessionError(Code.SESSION_UNKNOWN, _("Say which session: the opening, the evaluation or the auction."))
    return session_kind


def text_check(text, *, label, limit: int = TEXT_MAX) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if not text or "\x00" in text:
        raise SessionError(Code.TEXT_REQUIRED, _("Write the %(what)s.") % {"what": label})
    if len(text) > limit:
        raise SessionError(Code.TEXT_TOO_LONG, _("The %(what)s holds at most %(n)s characters; this one has "
                                                 "%(len)s.") % {"what": label, "n": limit, "len": len(text)})
    return text


def seat_require(*, lot_id: int, user, session_kind: str | None) -> Assignment:
    """The person's seat that lets them act on the lot's session (``None``: any session), or a 403
    refusal saying why not. Caller holds the lot's lock, which every assignment and revocation takes
    first, so the seat stays as read until commit."""
    if user is None or not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        raise _forbidden(Code.NOT_SUPERVISOR, _("Only a social supervisor seated on this lot may do this."))
    seats = list(seats_of(lot_id=lot_id, user_id=user.pk))
    active = [seat for seat in seats if seat.revoked_at is None]
    if not active:
        if seats:
            raise _forbidden(Code.SEAT_REVOKED, _("Your seat on this lot was revoked: you no longer supervise it."))
        raise _forbidden(Code.NOT_SEATED, _("You are not seated on this lot: only its drawn supervisors may do "
                                            "this."))
    fitting = [seat for seat in active if seat_fits(seat, session_kind)]
    if not fitting:
        raise _forbidden(Code.NOT_SEATED, _("You are not drawn for this lot's %(session)s.")
                         % {"session": SessionKind(session_kind).label.lower()})
    accepted = [seat for seat in fitting if seat.draw_id is None or seat.accepted_at is not None]
    if not accepted:
        raise _forbidden(Code.SEAT_NOT_ACCEPTED, _("Accept your seat first (or apply to recuse): a drawn "
                                                   "supervisor acts once they have accepted."))
    profile = supervisor_profile(user_id=user.pk)
    if profile is not None:
        if profile.status != Supervisor.Status.APPOINTED:
            raise _forbidden(Code.SUPERVISOR_NOT_APPOINTED, _("Your appointment as a social supervisor is %(status)s.")
                             % {"status": profile.get_status_display().lower()})
        if profile.term_end is not None and profile.term_end < local_day(clock.now()):
            raise _forbidden(Code.TERM_EXPIRED, _("Your term as a social supervisor ended on %(day)s.")
                             % {"day": profile.term_end.isoformat()})
    # A seat drawn for this very session before staff's blanket one: it is what the record shows.
    return sorted(accepted, key=lambda seat: seat.draw_id is None)[0]


def staff_require(user, *, message) -> None:
    if user is None or not user.is_authenticated or not user.has_role(Role.STAFF):
        raise _forbidden(Code.NOT_STAFF, message)


def _live_check(lot: Lot, session_kind: str) -> None:
    if lot.status not in LIVE_STATUSES[session_kind]:
        raise SessionError(Code.SESSION_NOT_LIVE, _("The lot's %(session)s is not under way (the lot is %(status)s).")
                           % {"session": SessionKind(session_kind).label.lower(),
                              "status": lot.get_status_display().lower()}, status=409)


def session_record(*, lot: Lot, session_kind: str, kind: str, actor: str, data: dict) -> None:
    """An event of the session, where its room shows it: the lot's subject, and an auction's too."""
    record(kind=kind, actor=actor, subject=f"lot:{lot.pk}", data=data)
    auction_id = auction_id_of(lot_id=lot.pk) if session_kind == SessionKind.AUCTION else None
    if auction_id is not None:
        record(kind=kind, actor=actor, subject=f"auction:{auction_id}", data=data)


def _staff_told(*, kind: str, title, body, params: dict, link: str) -> None:
    for person in staff_users():
        notify(user=person, kind=kind, title=title, body=body, params=params, link=link)


def stop_request_raise(*, lot_id: int, session_kind: str, user, reason: str) -> StopRequest:
    """A seated supervisor asks staff to stop the live session; staff must answer within the
    market's STOP_REQUEST_ANSWER minutes. Every member of the lot's room sees it, with the reason."""
    session_kind = session_check(session_kind)
    reason = text_check(reason, label=_("reason for the stop request"))
    with refusals_audited(action="stop_request", user=user, lot_id=lot_id, session_kind=session_kind), \
            transaction.atomic():
        lot = lot_lock(lot_id)
        seat_require(lot_id=lot.pk, user=user, session_kind=session_kind)
        _live_check(lot, session_kind)
        now = clock.now()
        rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure,
                        code=RuleCode.STOP_REQUEST_ANSWER, at=lot_published_at(lot=lot))
        due = deadline_add(start=now, amount=rule.amount, unit=rule.unit).at
        stop = StopRequest.objects.create(lot=lot, session_kind=session_kind, supervisor=user, reason=reason,
                                          raised_at=now, answer_due_at=due)
        session_record(lot=lot, session_kind=session_kind, kind="supervision.stop_requested", actor=actor_of(user),
                       data={"stop_request": stop.pk, "session": session_kind, "reason": reason,
                              "answer_due_at": due.isoformat(), "raised_by": PUBLIC_SUPERVISOR})
        _staff_told(kind="supervision.stop_requested", title=_("Stop request on %(lot)s: answer by %(due)s"),
                    body=_("A social supervisor asks to stop the %(session)s: %(reason)s"),
                    params={"lot": lot.code, "due": due.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                            "session": SessionKind(session_kind).label, "reason": reason},
                    link=reverse("staff-supervision"))
    return stop


def stop_request_answer(*, stop_request_id: int, user, decision: str, answer: str) -> StopRequest:
    """Staff answer a stop request on the record: the session is stopped (the lot is held by staff's
    order until they resume it) or continues. A late answer is taken and marked late."""
    if decision not in StopRequest.Decision.values:
        raise SessionError(Code.DECISION_INVALID, _("Decide: stop the session or let it continue."))
    answer = text_check(answer, label=_("answer"))
    with refusals_audited(action="stop_request_answer", user=user), transaction.atomic():
        staff_require(user, message=_("Only the centre's staff answer a stop request."))
        lot_id = StopRequest.objects.filter(pk=stop_request_id).values_list("lot_id", flat=True).first()
        if lot_id is None:
            raise SessionError(Code.STOP_REQUEST_NOT_FOUND, _("There is no such stop request."), status=404)
        lot = lot_lock(lot_id)
        stop = StopRequest.objects.select_for_update().select_related("supervisor").get(pk=stop_request_id)
        if stop.answered_at is not None:
            raise SessionError(Code.ALREADY_ANSWERED, _("This stop request was answered already."), status=409)
        now, actor = clock.now(), actor_of(user)
        stop.decision, stop.answer, stop.answered_by, stop.answered_at = decision, answer, actor, now
        stop.save(update_fields=["decision", "answer", "answered_by", "answered_at"])
        held = False
        if decision == StopRequest.Decision.STOPPED and not lot_holds_open(lot=lot).filter(
                subject=lot_order_subject(lot)).exists():
            lot_hold(lot=lot, reason=LotHold.Reason.ORDER, subject=lot_order_subject(lot), actor=actor,
                     data={"text": answer, "stop_request": stop.pk})
            held = True
        session_record(lot=lot, session_kind=stop.session_kind, kind="supervision.stop_answered", actor=actor,
                       data={"stop_request": stop.pk, "session": stop.session_kind, "decision": decision,
                             "answer": answer, "late": now > stop.answer_due_at, "held": held})
        notify(user=stop.supervisor, kind="supervision.stop_answered",
               title=_("Your stop request on %(lot)s was answered: %(decision)s"), body=_("Answer: %(answer)s"),
               params={"lot": lot.code, "decision": stop.get_decision_display(), "answer": answer},
               link=reverse("supervision-lot", args=[lot.pk]))
    return stop


def liaison_question_ask(*, lot_id: int, user, text: str) -> LiaisonQuestion:
    """A seated supervisor asks the centre's liaison a question on the record; staff are told."""
    text = text_check(text, label=_("question"))
    with refusals_audited(action="liaison_question", user=user, lot_id=lot_id), transaction.atomic():
        lot = lot_lock(lot_id)
        seat_require(lot_id=lot.pk, user=user, session_kind=None)
        question = LiaisonQuestion.objects.create(lot=lot, supervisor=user, text=text, asked_at=clock.now())
        record(kind="supervision.question_asked", actor=actor_of(user), subject=f"liaison_question:{question.pk}",
               data={"lot": lot.pk, "text": text})
        _staff_told(kind="supervision.question_asked", title=_("A supervisor's question on %(lot)s"),
                    body=_("Question: %(text)s"), params={"lot": lot.code, "text": text},
                    link=reverse("staff-supervision"))
    return question


def liaison_question_answer(*, question_id: int, user, answer: str) -> LiaisonQuestion:
    """The centre's liaison (a member of staff) answers on the record; the supervisor is told."""
    answer = text_check(answer, label=_("answer"))
    with refusals_audited(action="liaison_question_answer", user=user), transaction.atomic():
        staff_require(user, message=_("Only the centre's staff answer a supervisor's question."))
        question = (LiaisonQuestion.objects.select_for_update(of=("self",)).select_related("lot__project", "supervisor")
                    .filter(pk=question_id).first())
        if question is None:
            raise SessionError(Code.QUESTION_NOT_FOUND, _("There is no such question."), status=404)
        if question.answered_at is not None:
            raise SessionError(Code.ALREADY_ANSWERED, _("This question was answered already."), status=409)
        question.answer, question.answered_by, question.answered_at = answer, actor_of(user), clock.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        record(kind="supervision.question_answered", actor=actor_of(user), subject=f"liaison_question:{question.pk}",
               data={"lot": question.lot_id, "answer": answer})
        notify(user=question.supervisor, kind="supervision.question_answered",
               title=_("The centre answered your question on %(lot)s"), body=_("Answer: %(answer)s"),
               params={"lot": question.lot.code, "answer": answer},
               link=reverse("supervision-lot", args=[question.lot_id]))
    return question


def session_objection_record(*, lot_id: int, session_kind: str, user, text: str) -> SessionObjection:
    """A seated supervisor records an objection during the live session: on the lot's record, in its
    room, and told to staff."""
    session_kind = session_check(session_kind)
    text = text_check(text, label=_("objection"))
    with refusals_audited(action="session_objection", user=user, lot_id=lot_id, session_kind=session_kind), \
            transaction.atomic():
        lot = lot_lock(lot_id)
        seat_require(lot_id=lot.pk, user=user, session_kind=session_kind)
        _live_check(lot, session_kind)
        objection = SessionObjection.objects.create(lot=lot, session_kind=session_kind, supervisor=user, text=text,
                                                    at=clock.now())
        session_record(lot=lot, session_kind=session_kind, kind="supervision.objection_recorded",
                       actor=actor_of(user), data={"objection": objection.pk, "session": session_kind, "text": text,
                                                   "raised_by": PUBLIC_SUPERVISOR})
        _staff_told(kind="supervision.objection_recorded", title=_("A supervisor objects during %(lot)s's %(session)s"),
                    body=_("Objection: %(text)s"), params={"lot": lot.code, "session": SessionKind(session_kind).label,
                                                           "text": text}, link=reverse("staff-supervision"))
    return objection

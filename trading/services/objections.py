"""Objections to tender documents (招标投标法实施条例 Art 22): a registered bidder objects no later
than the rule's days before the bid deadline, the tenderee replies within the reply rule's days, and
the procedure stays suspended until every open objection has its reply.

Each open objection is one hold on the lot (``trading.services.holds``, subject ``objection:<id>``):
the first suspends it, and it resumes once the last hold of any reason (objections, a complaint, an
order) is released.

Who objected is kept from the lot: events about an objection go under ``objection:<id>`` (the lot's
id in their data), and the lot's own moves are made by ``SYSTEM`` so its live room and public
timeline show a suspension without naming anyone before the opening.

Lock order, as everywhere on a lot: the lot (``lot_lock``), then the objection.
"""
import hashlib
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock
from trading.errors import TradingError
from trading.models import DocumentObjection, Lot, LotHold, Role, RuleCode, RuleUnit
from trading.schedule import amendment_check
from trading.selectors import registration_active
from trading.selectors_calendar import lot_published_at, rule_get
from trading.selectors_holds import lot_hold_is_last
from trading.selectors_objections import FILING_STATUSES, objection_deadline, objection_has_open
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.lots import schedule_alert_provisional, schedule_refuse
from trading.services.moves import lot_lock
from trading.services_calendar import calendar_provisional_alert, deadline_compute
from trading.text import text_clean
from trading.workdays import local_day

SYSTEM = "system:objections"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _filing_window_check(lot: Lot, now: datetime) -> None:
    """Refuse an objection later than the rule allows. Caller holds the lot's lock, so the bid
    deadline cannot move in between."""
    deadline = objection_deadline(lot=lot)
    if deadline is None:
        raise TradingError("objection_not_allowed", _("This lot has no bid deadline to object before."), status=409)
    for year in deadline.unconfirmed_years:
        calendar_provisional_alert(year=year)
    if local_day(now) > deadline.last_day:
        rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure,
                        code=RuleCode.DOCUMENTS_OBJECTION, at=lot_published_at(lot=lot))
        raise TradingError(
            RuleCode.DOCUMENTS_OBJECTION,
            _("Objections to the tender documents must be filed at least %(n)s %(unit)s before the bid deadline "
              "(%(source)s): the last day was %(last_day)s.")
            % {"n": rule.amount, "unit": RuleUnit(rule.unit).label, "source": rule.source_text,
               "last_day": deadline.last_day.isoformat()},
            status=409,
        )


def objection_file(*, lot_id: int, user, text: str) -> DocumentObjection:
    """A bidder of an organisation registered for the lot objects to its tender documents.

    Each objection holds the lot: the first suspends it, further ones keep it suspended.
    """
    text = text_clean(text, code="objection_text", message=_("Write your objection."))
    if not user.has_role(Role.BIDDER):
        raise TradingError("not_registered", _("Only bidders registered for this lot may object to its documents."),
                           status=403)
    now = clock.now()
    with transaction.atomic():
        lot = lot_lock(lot_id)
        organisation = user.organisation
        if not registration_active(lot=lot, organisation=organisation):
            raise TradingError("not_registered",
                               _("Only bidders registered for this lot may object to its documents."), status=403)
        # A lot held by open objections takes more; one suspended only for another reason (a complaint,
        # an order) is not in its objection period.
        held_by_objections = lot.status == Lot.Status.SUSPENDED and objection_has_open(lot=lot)
        if lot.is_listing or not (lot.status in FILING_STATUSES or held_by_objections):
            raise TradingError("objection_not_allowed",
                               _("Objections to the tender documents are taken while the lot is published or open "
                                 "for bids."), status=409)
        _filing_window_check(lot, now)
        reply_rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure,
                              code=RuleCode.DOCUMENTS_OBJECTION_REPLY, at=lot_published_at(lot=lot))
        reply_due = deadline_compute(start=now, amount=reply_rule.amount, unit=reply_rule.unit)
        objection = DocumentObjection.objects.create(lot=lot, organisation=organisation, filed_by=user, text=text,
                                                     filed_at=now, reply_due_at=reply_due.at)
        record(kind="objection.filed", actor=WITHHELD_ACTOR, subject=f"objection:{objection.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "organisation": organisation.pk, "text_sha256": _sha256(text),
                     "reply_due_at": reply_due.at.isoformat()})
        lot_hold(lot=lot, reason=LotHold.Reason.DOCUMENTS_OBJECTION, subject=f"objection:{objection.pk}",
                 actor=SYSTEM)
    return objection


def objection_reply(*, objection_id: int, reply: str, actor: str,
                    bid_deadline: datetime | None = None) -> DocumentObjection:
    """Record the tenderee's reply (staff only; callers check the role). Late replies are taken and
    marked late in the event.

    The reply releases the objection's hold; the last hold released resumes the lot. Where the
    suspension ate into the bidding period or the reply changes the documents, ``bid_deadline``
    moves the deadline under the amendment rule, as ``lot_amend`` does; it is taken only with the
    reply that resumes the lot.
    """
    reply = text_clean(reply, code="reply", message=_("Write the reply."))
    lot_id = DocumentObjection.objects.filter(pk=objection_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise TradingError("objection_not_found", _("There is no such objection."), status=404)
    now = clock.now()
    with transaction.atomic():
        lot = lot_lock(lot_id)
        objection = DocumentObjection.objects.select_for_update().get(pk=objection_id)
        if objection.replied_at is not None:
            raise TradingError("objection_already_replied", _("This objection has already been answered."),
                               status=409)
        subject = f"objection:{objection.pk}"
        resumes = lot_hold_is_last(lot=lot, subject=subject)
        previous_deadline = lot.bid_deadline
        if bid_deadline is not None:
            if not resumes:
                raise TradingError("objection_deadline_not_resuming",
                                   _("The bid deadline moves with the reply that resumes the procedure; other "
                                     "objections or holds are still open or the lot is not suspended."),
                                   status=409)
            check = amendment_check(lot=lot, at=now, new_deadline=bid_deadline)
            schedule_refuse(check)
            schedule_alert_provisional(check)
            lot.bid_deadline = bid_deadline
        elif resumes and lot.bid_deadline is not None and lot.bid_deadline <= now:
            # Resumed as it is, the sweep would close bidding at once.
            raise TradingError("bid_deadline_passed",
                               _("The bid deadline passed while the procedure was suspended: set a new one."),
                               status=409)
        objection.reply, objection.replied_at, objection.replied_by = reply, now, actor
        objection.save(update_fields=["reply", "replied_at", "replied_by"])
        record(kind="objection.replied", actor=actor, subject=subject,
               data={"lot": lot.pk, "reply_sha256": _sha256(reply), "late": objection.replied_late,
                     "reply_due_at": objection.reply_due_at.isoformat(), "resumes_lot": resumes,
                     "bid_deadline": bid_deadline.isoformat() if bid_deadline else None})
        data = {"reason": RuleCode.DOCUMENTS_OBJECTION_REPLY.value}
        if bid_deadline is not None and bid_deadline != previous_deadline:
            data["bid_deadline"] = bid_deadline.isoformat()
        lot_hold_release(lot=lot, subject=subject, actor=actor, data=data)
    return objection

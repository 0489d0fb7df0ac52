"""Questions bidders ask about a lot, and the centre's public answers.

Who asked is never published: the enquiry row keeps the organisation and the person for the centre's
own record, while the answer, the question and the audit event carry neither.
"""
import hashlib
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock
from trading.errors import TradingError
from trading.models import Enquiry, Lot, Role
from trading.selectors import registration_active
from trading.selectors_documents import enquiries_open
from trading.services.lots import lot_amend
from trading.text import text_clean



def enquiry_ask(*, lot_id: int, user, question: str) -> Enquiry:
    """A bidder of an organisation registered for the lot asks a question before the bid deadline."""
    question = text_clean(question, code="question", message=_("Write your question."))
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise TradingError("lot_not_found", _("There is no such lot."), status=404)
    organisation = getattr(user, "organisation", None)
    if not user.has_role(Role.BIDDER) or not registration_active(lot=lot, organisation=organisation):
        raise TradingError("not_registered",
                           _("Only bidders registered for this lot may ask questions about it."), status=403)
    now = clock.now()
    if not enquiries_open(lot=lot, now=now):
        raise TradingError("enquiries_closed",
                           _("Questions are taken between the announcement and the bid deadline."), status=409)
    with transaction.atomic():
        enquiry = Enquiry.objects.create(lot=lot, organisation=organisation, asked_by=user, question=question,
                                         asked_at=now)
        # Not a ``lot:`` event: the lot's live room must not learn which bidders take part before the
        # opening; the answer is published on the lot without naming the asker (enquiry_answer).
        record(kind="enquiry.asked", actor=WITHHELD_ACTOR, subject=f"enquiry:{enquiry.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "question_sha256": hashlib.sha256(question.encode()).hexdigest()})
    return enquiry


def enquiry_answer(*, enquiry_id: int, answer: str, actor: str, as_amendment: bool = False,
                   title: str | None = None, bid_deadline: datetime | None = None) -> Enquiry:
    """Publish the answer to one enquiry (staff only; callers check the role).

    With ``as_amendment`` the question and answer are also published as an amendment of the lot
    (``lot_amend``: the rule table may require a later ``bid_deadline``), linked from the enquiry.
    """
    answer = text_clean(answer, code="answer", message=_("Write the answer."))
    lot_id = Enquiry.objects.filter(pk=enquiry_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise TradingError("enquiry_not_found", _("There is no such question."), status=404)
    with transaction.atomic():
        # Lot before enquiry, the order every writer of a lot's rows takes (lot_amend locks the lot too).
        lot = Lot.objects.select_for_update(of=("self",)).select_related("project").get(pk=lot_id)
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id)
        if enquiry.answered_at is not None:
            raise TradingError("enquiry_already_answered", _("This question has already been answered."),
                               status=409)
        if as_amendment:
            enquiry.amendment = lot_amend(
                lot_id=lot.pk, actor=actor, bid_deadline=bid_deadline,
                title=(title or "").strip() or str(_("Clarification on lot %(code)s") % {"code": lot.code}),
                body=f"{enquiry.question}\n\n{answer}",
            )
        enquiry.answer = answer
        enquiry.answered_at = clock.now()
        enquiry.answered_by = actor
        enquiry.save(update_fields=["answer", "answered_at", "answered_by", "amendment"])
        record(kind="enquiry.answered", actor=actor, subject=f"lot:{lot.pk}",
               data={"enquiry": enquiry.pk, "question": enquiry.question, "answer": answer,
                     "amendment": enquiry.amendment_id})
    return enquiry

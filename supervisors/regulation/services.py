"""Regulators acting online (DESIGN §7): inquiries (问询), suspension orders, and the public
reporting channel (网上举报).

- An inquiry goes to the centre (its staff answer) or to a party of the lot (its tenderee or an
  organisation registered for it; any of its people answers), due by the ``inquiry_answer`` rule's
  working days on the real calendar unless the regulator sets a later day. Both steps are events
  under ``inquiry:<id>`` carrying digests of the texts: inquiries are not public, so nothing goes
  under the lot's subject. A late answer is taken and marked late; the alert sweep watches the rest.
- A suspension order is a hold (``trading.services.holds``) of reason ``order`` under
  ``regulator-order:<lot>``. Staff's own order and staff's resume leave it alone (``lot_resume``
  refuses while another hold is open), so only a regulator lifts it, and the lot resumes when its
  last hold goes. The order and its reason are public: their events go under ``lot:<id>``.
- A public report is filed by anyone, signed in or anonymous with a contact, with evidence kept in
  object storage; it gets a case number and a private follow token. Who reported and their
  contact stay on the row for regulators: a report's events carry its case number and lot only,
  with the actor ``public``.

Refusals of a right (not a regulator, not the one asked) are audited (``errors.refuse``). Lock
order, as everywhere on a lot: the lot (``lot_lock``), then the row.
"""
import hashlib
import io
import os
import secrets
from datetime import datetime
from typing import BinaryIO, NamedTuple

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from monitoring.events import actor_of, record
from supervisors.regulation.errors import RegulationError, refuse
from supervisors.regulation.errors import RegulationErrorCode as Code
from supervisors.regulation.models import Inquiry, PublicReport
from supervisors.regulation.selectors import (centre_staff, inquiry_may_answer, lot_for_report, lot_parties,
                                              lot_party_people, order_subject, organisation_people, regulators,
                                              ORDER_PREFIX)
from trading import clock
from trading.models import Lot, LotHold, Organisation, Role, RuleCode
from trading.selectors_calendar import rule_get
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.moves import lot_lock
from trading.services.notifications import notify
from trading.services_calendar import deadline_compute
from trading.storage import get_storage
from trading.workdays import CHINA, local_day

TEXT_MAX = 5000
CONTACT_MAX = PublicReport._meta.get_field("contact").max_length
REPORTER_ACTOR = "public"
EVIDENCE_MAX_FILES = 5
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Told by their first bytes rather than by the name or the browser's claim.
EVIDENCE_TYPES = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
                  (b"\x89PNG\r\n\x1a\n", "image/png", "png"))
EVIDENCE_NAME_MAX = 120
CASE_NUMBER_DRAWS = 20


class EvidenceUpload(NamedTuple):
    """A file as the page or the API received it."""

    stream: BinaryIO
    name: str
    length: int | None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _text_clean(text, *, field: str, required_message, limit: int = TEXT_MAX, required: bool = True) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if not text and required:
        raise RegulationError(Code.TEXT_REQUIRED, required_message, fields={field: [str(required_message)]})
    if len(text) > limit or "\x00" in text:
        message = _("At most %(n)s characters of plain text, please.") % {"n": limit}
        raise RegulationError(Code.TEXT_TOO_LONG, message, fields={field: [str(message)]})
    return text


def regulator_check(user, *, action: str, data: dict | None = None) -> str:
    """The regulator's actor string, or the refusal, audited (pages ask it before they read a form)."""
    actor = actor_of(user)
    if not (user is not None and user.is_authenticated and user.is_active and user.has_role(Role.REGULATOR)):
        refuse(Code.NOT_REGULATOR, _("Only regulators may do this."), actor=actor, action=action, data=data)
    return actor


# --- inquiries (问询) ---------------------------------------------------------------------------------

def _addressees(inquiry: Inquiry):
    if inquiry.organisation_id is None:
        return centre_staff()
    return organisation_people(organisation_id=inquiry.organisation_id)


def _local(at: datetime) -> str:
    """An instant as China's clock shows it, for a notice's text."""
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def inquiry_ask(*, lot_id: int, regulator, question: str, organisation: Organisation | None = None,
                due_at: datetime | None = None) -> Inquiry:
    """A regulator asks the centre (``organisation`` None) or a party of the lot a question, to be
    answered by ``due_at``: by default the ``inquiry_answer`` rule's working days from now."""
    actor = regulator_check(regulator, action="inquiry_ask", data={"lot": lot_id})
    question = _text_clean(question, field="question", required_message=_("Write the question."))
    now = clock.now()
    if due_at is not None and due_at <= now:
        raise RegulationError(Code.DUE_INVALID, _("The answer must be due at a later time than now."),
                              fields={"due_at": [str(_("Choose a later day."))]})
    with transaction.atomic():
        lot = Lot.objects.select_related("project__procedure").filter(pk=lot_id).first()
        if lot is None:
            raise RegulationError(Code.LOT_NOT_FOUND, _("There is no such lot."), status=404)
        if organisation is not None and not lot_parties(lot=lot).filter(pk=organisation.pk).exists():
            raise RegulationError(Code.NOT_A_PARTY, _("Ask the centre, the lot's tenderee or an organisation "
                                                      "registered for the lot."))
        if due_at is None:
            rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.INQUIRY_ANSWER)
            due_at = deadline_compute(start=now, amount=rule.amount, unit=rule.unit).at
        inquiry = Inquiry.objects.create(lot=lot, organisation=organisation, question=question, due_at=due_at,
                                         asked_by=regulator, asked_at=now)
        record(kind="inquiry.asked", actor=actor, subject=f"inquiry:{inquiry.pk}",
               data={"lot": lot.pk, "organisation": organisation.pk if organisation else None,
                     "due_at": due_at.isoformat(), "question_sha256": _sha256(question)})
        for person in _addressees(inquiry):
            notify(user=person, kind="inquiry.asked", title=_("The regulator asks about lot %(lot)s"),
                   body=_("Answer by %(due)s: %(question)s"),
                   params={"lot": lot.code, "due": _local(due_at), "question": question[:200]},
                   link=reverse("inquiry-detail", args=[inquiry.pk]))
    return inquiry


def inquiry_answer(*, inquiry_id: int, user, answer: str) -> Inquiry:
    """The one asked answers on the record (staff for the centre, any of the party's people); a
    late answer is taken and marked late. The regulator who asked is told."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    if inquiry is None:
        raise RegulationError(Code.INQUIRY_NOT_FOUND, _("There is no such inquiry."), status=404)
    if not inquiry_may_answer(inquiry=inquiry, user=user):
        refuse(Code.NOT_ADDRESSEE, _("This inquiry is addressed to someone else: only they answer it."),
               actor=actor_of(user), action="inquiry_answer", data={"inquiry": inquiry.pk})
    answer = _text_clean(answer, field="answer", required_message=_("Write the answer."))
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().select_related("lot").get(pk=inquiry_id)
        if inquiry.answered_at is not None:
            raise RegulationError(Code.INQUIRY_ANSWERED, _("This inquiry has already been answered."), status=409)
        now = clock.now()
        inquiry.answer, inquiry.answered_by, inquiry.answered_at = answer, user, now
        inquiry.save(update_fields=["answer", "answered_by", "answered_at"])
        record(kind="inquiry.answered", actor=actor_of(user), subject=f"inquiry:{inquiry.pk}",
               data={"lot": inquiry.lot_id, "late": now >= inquiry.due_at, "answer_sha256": _sha256(answer)})
        notify(user=inquiry.asked_by, kind="inquiry.answered", title=_("Your inquiry about lot %(lot)s is answered"),
               body=_("Answer: %(answer)s"), params={"lot": inquiry.lot.code, "answer": answer[:200]},
               link=reverse("inquiry-detail", args=[inquiry.pk]))
    return inquiry


# --- suspension orders ------------------------------------------------------------------------------

def _tell_lot(lot: Lot, *, kind: str, title, text: str) -> None:
    """Staff and the lot's parties learn of an order or its lifting."""
    people = {person.pk: person for person in centre_staff()}
    people.update({person.pk: person for person in lot_party_people(lot=lot)})
    for person in people.values():
        notify(user=person, kind=kind, title=title, body=_("Reason: %(reason)s"),
               params={"lot": lot.code, "reason": text[:200]}, link=reverse("lot-detail", args=[lot.pk]))


def lot_suspension_order(*, lot_id: int, regulator, reason: str) -> LotHold:
    """A regulator orders the lot suspended: one more hold on it (the first one suspends it)."""
    actor = regulator_check(regulator, action="suspension_order", data={"lot": lot_id})
    reason = _text_clean(reason, field="reason", required_message=_("Say why the lot is suspended."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        subject = order_subject(lot.pk)
        if LotHold.objects.filter(lot=lot, subject=subject, released_at__isnull=True).exists():
            raise RegulationError(Code.ALREADY_ORDERED, _("The lot is already suspended by a regulator's order."),
                                  status=409)
        was = lot.status
        hold = lot_hold(lot=lot, reason=LotHold.Reason.ORDER, subject=subject, actor=actor,
                        data={"text": reason, "by": "regulator"})
        record(kind="regulation.suspension_ordered", actor=actor, subject=f"lot:{lot.pk}",
               data={"hold": hold.pk, "text": reason, "lot_status": was})
        _tell_lot(lot, kind="lot.suspension_ordered", title=_("Lot %(lot)s is suspended by the regulator's order"),
                  text=reason)
    return hold


def lot_suspension_lift(*, hold_id: int, regulator, reason: str) -> LotHold:
    """A regulator lifts the regulators' order; the lot resumes unless another hold remains."""
    actor = regulator_check(regulator, action="suspension_lift", data={"hold": hold_id})
    reason = _text_clean(reason, field="reason", required_message=_("Say why the order is lifted."))
    lot_id = (LotHold.objects.filter(pk=hold_id, reason=LotHold.Reason.ORDER, subject__startswith=ORDER_PREFIX)
              .values_list("lot_id", flat=True).first())
    if lot_id is None:
        raise RegulationError(Code.ORDER_NOT_FOUND, _("There is no such suspension order of a regulator."),
                              status=404)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        hold = LotHold.objects.get(pk=hold_id)
        if hold.released_at is not None:
            raise RegulationError(Code.ORDER_LIFTED, _("This order has already been lifted."), status=409)
        resumed = lot_hold_release(lot=lot, subject=hold.subject, actor=actor, data={"text": reason})
        record(kind="regulation.suspension_lifted", actor=actor, subject=f"lot:{lot.pk}",
               data={"hold": hold.pk, "text": reason, "resumes_lot": resumed})
        _tell_lot(lot, kind="lot.suspension_lifted", title=_("The regulator lifted the order suspending lot %(lot)s"),
                  text=reason)
        hold.refresh_from_db()
    return hold


# --- public reports (网上举报) ------------------------------------------------------------------------

def _evidence_read(uploads: list[EvidenceUpload]) -> list[tuple[bytes, dict]]:
    """Check every file before anything is stored: at most five, ten megabytes each, PDF, JPEG or
    PNG by their first bytes. Read into memory: the object's key is its SHA-256."""
    if len(uploads) > EVIDENCE_MAX_FILES:
        raise RegulationError(Code.EVIDENCE_TOO_MANY, _("Attach at most %(n)s files.") % {"n": EVIDENCE_MAX_FILES})
    files = []
    for upload in uploads:
        too_large = RegulationError(Code.EVIDENCE_TOO_LARGE, _("“%(name)s” is larger than %(mb)s MB.")
                                    % {"name": upload.name, "mb": EVIDENCE_MAX_BYTES >> 20})
        if upload.length is not None and upload.length > EVIDENCE_MAX_BYTES:
            raise too_large
        data = upload.stream.read(EVIDENCE_MAX_BYTES + 1)
        if len(data) > EVIDENCE_MAX_BYTES:
            raise too_large
        if not data:
            raise RegulationError(Code.EVIDENCE_EMPTY, _("“%(name)s” is empty.") % {"name": upload.name})
        kind = next(((content_type, extension) for magic, content_type, extension in EVIDENCE_TYPES
                     if data.startswith(magic)), None)
        if kind is None:
            raise RegulationError(Code.EVIDENCE_TYPE, _("“%(name)s” is not a PDF, JPEG or PNG file.")
                                  % {"name": upload.name})
        sha256 = hashlib.sha256(data).hexdigest()
        name = os.path.basename((upload.name or "").replace("\\", "/")).strip()[-EVIDENCE_NAME_MAX:]
        files.append((data, {"key": f"public-reports/evidence/{sha256}", "name": name or f"evidence.{kind[1]}",
                             "content_type": kind[0], "size": len(data), "sha256": sha256}))
    return files


def _report_create(**fields) -> PublicReport:
    """The report with a case number JB-<year>-<six random digits> and a random follow token, in a
    savepoint: a number another report took meanwhile breaks the unique constraint, and is drawn again."""
    year = local_day(fields["received_at"]).year
    for attempt in range(CASE_NUMBER_DRAWS):
        number = f"JB-{year}-{secrets.randbelow(10 ** 6):06d}"
        if PublicReport.objects.filter(case_number=number).exists():
            continue
        try:
            with transaction.atomic():
                return PublicReport.objects.create(case_number=number, follow_token=secrets.token_urlsafe(32),
                                                   **fields)
        except IntegrityError:
            if attempt == CASE_NUMBER_DRAWS - 1:
                raise
    raise RuntimeError(f"no free case number for {year} in {CASE_NUMBER_DRAWS} draws")


def public_report_file(*, text: str, lot_id: int | None = None, reporter=None, contact: str = "",
                       evidence: list[EvidenceUpload] | None = None) -> PublicReport:
    """Anyone reports a suspected violation (on a public lot, or in general). ``reporter`` is the
    signed-in person, if any; someone anonymous leaves a contact. Regulators are told."""
    reporter = reporter if reporter is not None and reporter.is_authenticated else None
    text = _text_clean(text, field="text", required_message=_("Say what happened."))
    contact = _text_clean(contact, field="contact", required_message="", limit=CONTACT_MAX, required=False)
    if reporter is None and not contact:
        message = _("Leave a telephone number or an address where the regulator can reach you, or sign in.")
        raise RegulationError(Code.CONTACT_REQUIRED, message, fields={"contact": [str(message)]})
    lot = None
    if lot_id is not None:
        lot = lot_for_report(lot_id=lot_id)
        if lot is None:
            raise RegulationError(Code.LOT_NOT_FOUND, _("There is no such lot."), status=404)
    files = _evidence_read(evidence or [])
    storage = get_storage()
    for data, info in files:
        storage.put(info["key"], io.BytesIO(data), length=info["size"], content_type=info["content_type"])
    now = clock.now()
    with transaction.atomic():
        report = _report_create(lot=lot, reporter=reporter, contact=contact, text=text,
                                evidence=[info for _data, info in files], received_at=now)
        record(kind="report.filed", actor=REPORTER_ACTOR, subject=f"report:{report.pk}",
               data={"case": report.case_number, "lot": lot.pk if lot else None})
        for person in regulators():
            notify(user=person, kind="report.filed", title=_("New public report %(case)s"),
                   body=_("Triage it and answer the reporter."), params={"case": report.case_number},
                   link=reverse("regulator-report", args=[report.pk]))
    return report


def _report_locked(report_id: int) -> PublicReport:
    report = PublicReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise RegulationError(Code.REPORT_NOT_FOUND, _("There is no such report."), status=404)
    return report


def _report_event(report: PublicReport, kind: str, actor: str, **data) -> None:
    record(kind=kind, actor=actor, subject=f"report:{report.pk}",
           data={"case": report.case_number, "lot": report.lot_id, **data})


def _status_refused(report: PublicReport, step) -> RegulationError:
    return RegulationError(Code.REPORT_STATUS, _("A report that is “%(status)s” cannot be %(step)s.")
                           % {"status": report.get_status_display(), "step": step}, status=409)


def _reporter_tell(report: PublicReport) -> None:
    if report.reporter_id is not None:
        notify(user=report.reporter, kind="report.answered", title=_("Your report %(case)s is answered"),
               body=_("Read the answer and rate it."), params={"case": report.case_number},
               link=reverse("report-follow", args=[report.follow_token]))


def public_report_triage(*, report_id: int, regulator, note: str = "") -> PublicReport:
    """A regulator takes the case up, with a note for the regulators."""
    actor = regulator_check(regulator, action="report_triage", data={"report": report_id})
    note = _text_clean(note, field="note", required_message="", required=False)
    with transaction.atomic():
        report = _report_locked(report_id)
        if report.status != PublicReport.Status.RECEIVED:
            raise _status_refused(report, _("taken up"))
        report.triage()
        report.triaged_by, report.triaged_at, report.triage_note = actor, clock.now(), note
        report.save()
        _report_event(report, "report.triaged", actor)
    return report


def public_report_answer(*, report_id: int, regulator, answer: str) -> PublicReport:
    """A regulator answers the reporter, who is told if signed in and may rate the answer."""
    actor = regulator_check(regulator, action="report_answer", data={"report": report_id})
    answer = _text_clean(answer, field="answer", required_message=_("Write the answer."))
    with transaction.atomic():
        report = _report_locked(report_id)
        if report.status != PublicReport.Status.TRIAGED:
            raise _status_refused(report, _("answered"))
        report.answer_case()
        report.answer, report.answered_by, report.answered_at = answer, actor, clock.now()
        report.save()
        _report_event(report, "report.answered", actor)
        _reporter_tell(report)
    return report


def public_report_close(*, report_id: int, regulator, answer: str = "") -> PublicReport:
    """A regulator closes the case: an answered one as it is; one closed unanswered (outside the
    regulator's remit, say) needs the answer that tells the reporter why."""
    actor = regulator_check(regulator, action="report_close", data={"report": report_id})
    with transaction.atomic():
        report = _report_locked(report_id)
        if report.status == PublicReport.Status.CLOSED:
            raise _status_refused(report, _("closed"))
        unanswered = report.answered_at is None
        if unanswered:
            report.answer = _text_clean(answer, field="answer",
                                        required_message=_("Tell the reporter why the case closes."))
            report.answered_by, report.answered_at = actor, clock.now()
        report.close()
        report.closed_at = clock.now()
        report.save()
        _report_event(report, "report.closed", actor, answered_on_closing=unanswered)
        if unanswered:
            _reporter_tell(report)
    return report


def public_report_rate(*, token: str, rating: int) -> PublicReport:
    """The reporter rates the answer 1–5, once, through their private follow link."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise RegulationError(Code.RATING_INVALID, _("Rate the answer from 1 to 5."))
    with transaction.atomic():
        report = PublicReport.objects.select_for_update().filter(follow_token=token).first() if token else None
        if report is None:
            raise RegulationError(Code.REPORT_NOT_FOUND, _("There is no such report."), status=404)
        if report.answered_at is None:
            raise RegulationError(Code.NOT_ANSWERED, _("The report has no answer to rate yet."), status=409)
        if report.rating is not None:
            raise RegulationError(Code.ALREADY_RATED, _("The answer has already been rated."), status=409)
        report.rating, report.rated_at = rating, clock.now()
        report.save(update_fields=["rating", "rated_at"])
        _report_event(report, "report.rated", REPORTER_ACTOR, rating=rating)
    return report

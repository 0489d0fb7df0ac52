"""A supervisor's observation report after a session: the session kind's checklist (every item
answered), the issues found, a rating 1–5, free text, attachments, and whether they sign the session
off (if not, why). Submitting it locks it for good — there is no update — and signs it: ``payload``
is the canonical JSON of ``{"v": 1, "kind": "observation-report", "body": {...}}`` and
``signature`` the platform's Ed25519 signature over those bytes (``bidding.crypto.receipts``), so
``python -m supervisors.verify report FILE --key platform-key.pem`` checks the downloaded file
anywhere. The observation note (``ObservationNote``) is the draft the form starts from.

Due: the session's end (``selectors.session_ended_at``) plus the market's OBSERVATION_REPORT
period on the real calendar. A late report is taken and marked late (in the signed body and its
event); the alerts that watch reports due read ``due_at``.

A staff-assigned (undrawn) seat files one report, on the session it names (by default the lot's
last kind of session so far, ``selectors.direct_session_kind``): the model keeps one report per seat.
"""
import hashlib
import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json, time_format
from monitoring.events import actor_of, record
from supervisors.models import Assignment
from supervisors.registry.models import SessionKind
from supervisors.sessions.errors import SessionError
from supervisors.sessions.errors import SessionErrorCode as Code
from supervisors.sessions.models import ObservationReport
from supervisors.sessions.rules import (ANSWER_CODES, ATTACHMENT_MAX_BYTES, ATTACHMENT_NAME_MAX, ATTACHMENT_TYPES,
                                        ATTACHMENTS_MAX, RATINGS, REPORT_KIND, REPORT_TEXT_MAX, TEXT_MAX,
                                        checklist_items)
from supervisors.sessions.selectors import direct_session_kind, report_due_at, session_ended_at, supervisor_profile
from supervisors.sessions.services.rights import refusals_audited, seat_require, session_check
from trading import clock, signing
from trading.storage import get_storage


@dataclass(frozen=True)
class _Attachment:
    data: bytes
    name: str
    content_type: str
    sha256: str


def _checklist_check(checklist, session_kind: str) -> dict:
    if not isinstance(checklist, dict):
        raise SessionError(Code.CHECKLIST_INVALID, _("The checklist answers each item with yes, no or not "
                                                     "applicable."))
    items = dict(checklist_items(session_kind))
    unknown = sorted(set(checklist) - set(items))
    if unknown:
        raise SessionError(Code.CHECKLIST_INVALID, _("The checklist of this session has no item %(items)s.")
                           % {"items": ", ".join(unknown)})
    missing = [str(label) for code, label in items.items() if checklist.get(code) not in ANSWER_CODES]
    if missing:
        raise SessionError(Code.CHECKLIST_INCOMPLETE, _("Answer every item of the checklist; still open: %(items)s")
                           % {"items": " ".join(missing)})
    return {code: checklist[code] for code in items}


def _optional_text(text, *, label, limit: int) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if "\x00" in text or len(text) > limit:
        raise SessionError(Code.TEXT_TOO_LONG, _("The %(what)s holds at most %(n)s characters of plain text.")
                           % {"what": label, "n": limit})
    return text


def _attachment_read(upload) -> _Attachment:
    """One uploaded file (anything with ``name`` and ``read``), read into memory: its key is its
    SHA-256, known only once every byte is in."""
    data = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise SessionError(Code.ATTACHMENT_TOO_LARGE, _("An attachment is larger than %(mb)d MB.")
                           % {"mb": ATTACHMENT_MAX_BYTES >> 20})
    for magic, content_type, extension in ATTACHMENT_TYPES:
        if data.startswith(magic):
            break
    else:
        raise SessionError(Code.ATTACHMENT_INVALID, _("Attach PDF, JPEG or PNG files only."))
    name = os.path.basename((getattr(upload, "name", "") or "").replace("\\", "/")).strip()[-ATTACHMENT_NAME_MAX:]
    return _Attachment(data=data, name=name or f"attachment.{extension}", content_type=content_type,
                       sha256=hashlib.sha256(data).hexdigest())


def _attachments_read(attachments) -> list[_Attachment]:
    attachments = list(attachments or [])
    if len(attachments) > ATTACHMENTS_MAX:
        raise SessionError(Code.TOO_MANY_ATTACHMENTS, _("Attach at most %(n)d files.") % {"n": ATTACHMENTS_MAX})
    return [_attachment_read(upload) for upload in attachments]


def attachment_key(*, lot_id: int, sha256: str) -> str:
    return f"supervision/reports/{lot_id}/{sha256}"


def observation_report_submit(*, assignment_id: int, user, checklist: dict, issues: str, rating: int, text: str,
                              attachments=(), signed_off: bool, refusal_reason: str = "",
                              session_kind: str = "") -> ObservationReport:
    """File the seat's observation report, locked and signed. ``session_kind`` matters only for a
    staff-assigned seat, which names no session of its own."""
    if type(rating) is not int or rating not in RATINGS:
        raise SessionError(Code.RATING_INVALID, _("Rate the session from 1 (poor) to 5 (exemplary)."))
    issues = _optional_text(issues, label=_("issues found"), limit=REPORT_TEXT_MAX)
    text = _optional_text(text, label=_("report"), limit=REPORT_TEXT_MAX)
    refusal_reason = _optional_text(refusal_reason, label=_("reason"), limit=TEXT_MAX)
    if not signed_off and not refusal_reason:
        raise SessionError(Code.REFUSAL_REASON_REQUIRED, _("Say why you do not sign the session off."))
    if signed_off:
        refusal_reason = ""
    files = _attachments_read(attachments)
    seat = Assignment.objects.select_related("lot__project__market", "lot__project__procedure").filter(
        pk=assignment_id).first()
    if seat is None:
        raise SessionError(Code.ASSIGNMENT_NOT_FOUND, _("There is no such seat."), status=404)
    lot = seat.lot
    kind = session_check(seat.session_kind or session_kind or direct_session_kind(lot=lot))
    checklist = _checklist_check(checklist, kind)
    with refusals_audited(action="observation_report", user=user, lot_id=lot.pk, session_kind=kind):
        own = seat_require(lot_id=lot.pk, user=user, session_kind=kind if seat.draw_id else None)
        if own.pk != seat.pk:
            raise SessionError(Code.NOT_SEATED, _("Only the supervisor of this seat files its report."), status=403)
        if ObservationReport.objects.filter(assignment_id=seat.pk).exists():
            raise SessionError(Code.REPORT_LOCKED, _("Your report on this session is filed and locked: it cannot be "
                                                     "changed."), status=409)
        ended = session_ended_at(lot=lot, session_kind=kind)
        now = clock.now()
        if ended is None or ended > now:
            raise SessionError(Code.SESSION_NOT_ENDED, _("The report follows the session: the %(session)s has not "
                                                         "ended yet.") % {"session": SessionKind(kind).label.lower()},
                               status=409)
        # Stored before the row: an object nobody references costs nothing, a row without its file would.
        for attachment in files:
            get_storage().put(attachment_key(lot_id=lot.pk, sha256=attachment.sha256), io.BytesIO(attachment.data),
                              length=len(attachment.data), content_type=attachment.content_type)
        with transaction.atomic():
            # A revocation takes the seat's lock after the lot's: holding it keeps the seat active until commit.
            if Assignment.objects.select_for_update().get(pk=seat.pk).revoked_at is not None:
                raise SessionError(Code.SEAT_REVOKED, _("Your seat on this lot was revoked: you no longer supervise "
                                                        "it."), status=403)
            due = report_due_at(lot=lot, ended_at=ended)
            profile = supervisor_profile(user_id=user.pk)
            body = {
                "platform": settings.PLATFORM_ID, "assignment": seat.pk,
                "lot": {"id": lot.pk, "code": lot.code, "title": lot.display_title},
                "session": kind, "session_ended_at": time_format(ended),
                "supervisor": {"id": user.pk, "name": str(user),
                               "certificate": profile.certificate_number if profile else ""},
                "checklist": checklist, "issues": issues, "rating": rating, "text": text,
                "attachments": [{"name": a.name, "sha256": a.sha256, "size": len(a.data),
                                 "content_type": a.content_type} for a in files],
                "signed_off": bool(signed_off), "refusal_reason": refusal_reason,
                "due_at": time_format(due) if due else None, "submitted_at": time_format(now),
                "late": due is not None and now > due,
            }
            signed = receipts.signed_document(REPORT_KIND, body, signing.private_key())
            payload = canonical_json(signed["document"]).decode("utf-8")
            try:
                with transaction.atomic():
                    report = ObservationReport.objects.create(
                        assignment=seat, session_kind=kind, checklist=checklist, issues=issues, rating=rating,
                        text=text, attachments=body["attachments"], signed_off=bool(signed_off),
                        refusal_reason=refusal_reason, due_at=due, submitted_at=now, payload=payload,
                        signature=signed["signature"])
            except IntegrityError:
                raise SessionError(Code.REPORT_LOCKED, _("Your report on this session is filed and locked: it "
                                                         "cannot be changed."), status=409) from None
            record(kind="supervision.report_submitted", actor=actor_of(user), subject=f"assignment:{seat.pk}",
                   data={"lot": lot.pk, "report": report.pk, "session": kind, "signed_off": bool(signed_off),
                         "late": body["late"], "due_at": body["due_at"],
                         "payload_sha256": hashlib.sha256(payload.encode("utf-8")).hexdigest(),
                         "signature": signed["signature"]})
    return report

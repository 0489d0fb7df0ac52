"""Refusals of the regulators' online acts and of the public reporting channel: a stable code each,
and ``refuse`` for the refusals of a right (not a regulator, not the one asked), which are audited
before they are raised."""
import enum

from django.db import transaction

from monitoring.events import record
from supervisors.errors import SupervisionError

# Refused attempts are recorded here rather than under a lot, whose room is public.
REFUSALS_SUBJECT = "regulation"


class RegulationErrorCode(enum.StrEnum):
    NOT_REGULATOR = "not_regulator"
    NOT_ADDRESSEE = "not_addressee"
    LOT_NOT_FOUND = "lot_not_found"
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    NOT_A_PARTY = "not_a_party"
    DUE_INVALID = "due_invalid"
    INQUIRY_NOT_FOUND = "inquiry_not_found"
    INQUIRY_ANSWERED = "inquiry_answered"
    ALREADY_ORDERED = "already_ordered"
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_LIFTED = "order_lifted"
    CONTACT_REQUIRED = "contact_required"
    EVIDENCE_TOO_MANY = "evidence_too_many"
    EVIDENCE_TOO_LARGE = "evidence_too_large"
    EVIDENCE_EMPTY = "evidence_empty"
    EVIDENCE_TYPE = "evidence_type"
    REPORT_NOT_FOUND = "report_not_found"
    REPORT_STATUS = "report_status"
    NOT_ANSWERED = "not_answered"
    ALREADY_RATED = "already_rated"
    RATING_INVALID = "rating_invalid"


class RegulationError(SupervisionError):
    """An inquiry, suspension order or public report step refused: a ``RegulationErrorCode`` and a
    translated message."""


def refuse(code: RegulationErrorCode, message, *, actor: str, action: str, data: dict | None = None,
           status: int = 403) -> None:
    """Refuse an act the actor has no right to: the attempt is an audit event (committed on its own,
    before the act's transaction opens), then the refusal is raised."""
    with transaction.atomic():
        record(kind="regulation.refused", actor=actor, subject=REFUSALS_SUBJECT,
               data={"code": str(code), "action": action, **(data or {})})
    raise RegulationError(code, message, status=status)

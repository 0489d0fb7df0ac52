"""Refusals of the registry and the draws: a stable code each, and ``refuse`` for the refusals of a
right (not staff, someone else's pledge or seat), which are audited before they are raised."""
import enum

from django.db import transaction

from monitoring.events import record
from supervisors.errors import SupervisionError


class RegistryErrorCode(enum.StrEnum):
    NOT_STAFF = "not_staff"
    NOT_YOURS = "not_yours"
    SUPERVISOR_NOT_FOUND = "supervisor_not_found"
    ALREADY_REGISTERED = "already_registered"
    ACCOUNT_MISSING = "account_missing"
    PASSWORD_WEAK = "password_weak"
    RESIDENT_ID_MISSING = "resident_id_missing"
    UNIT_MISSING = "unit_missing"
    UNIT_USCC_INVALID = "unit_uscc_invalid"
    FILE_MISSING = "file_missing"
    FILE_TOO_LARGE = "file_too_large"
    FILE_NOT_PDF = "file_not_pdf"
    MARKET_UNKNOWN = "market_unknown"
    EMPLOYER_UNKNOWN = "employer_unknown"
    STATUS = "status"
    VETTING_EMPLOYER = "vetting_employer"
    VETTING_PENALTY = "vetting_penalty"
    TERM_INVALID = "term_invalid"
    PLEDGE_DONE = "pledge_done"
    PLEDGE_NOT_ACCEPTED = "pledge_not_accepted"
    REASON_REQUIRED = "reason_required"
    SANCTION_KIND = "sanction_kind"
    EVALUATION_YEAR = "evaluation_year"
    EVALUATION_EXISTS = "evaluation_exists"
    GRADE_INVALID = "grade_invalid"
    LOT_NOT_FOUND = "lot_not_found"
    LOT_NOT_WATCHED = "lot_not_watched"
    SESSION_KIND = "session_kind"
    DRAW_EXISTS = "draw_exists"
    POOL_TOO_SMALL = "pool_too_small"
    RELATION_KIND = "relation_kind"
    RELATION_ORGANISATION = "relation_organisation"
    RELATION_EXISTS = "relation_exists"
    SEAT_NOT_FOUND = "seat_not_found"
    SEAT_ENDED = "seat_ended"
    SEAT_ACCEPTED = "seat_accepted"
    RECUSAL_EXISTS = "recusal_exists"
    RECUSAL_NOT_FOUND = "recusal_not_found"
    RECUSAL_DECIDED = "recusal_decided"


class RegistryError(SupervisionError):
    """A registry or draw step refused: a ``RegistryErrorCode`` and a translated message."""


def refuse(code: RegistryErrorCode, message, *, actor: str, subject: str, status: int = 403) -> None:
    """Refuse an action the actor has no right to: the attempt is an audit event, then the refusal is
    raised. Called before the action's transaction opens, so the event is committed and stays."""
    with transaction.atomic():
        record(kind="supervisor.refused", actor=actor, subject=subject, data={"code": str(code)})
    raise RegistryError(code, message, status=status)

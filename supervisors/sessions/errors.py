"""The stable codes of a supervisor's rights during and after a session, and of officials' check-ins.

Refusals for want of a right answer 403 and are audited (``services.rights.refusals_audited``);
the others are bad input (400), a missing record (404) or a state that does not allow the step (409)."""
import enum

from supervisors.errors import SupervisionError


class SessionErrorCode(enum.StrEnum):
    # Who may act.
    NOT_SUPERVISOR = "not_supervisor"
    NOT_SEATED = "not_seated"
    SEAT_REVOKED = "seat_revoked"
    SEAT_NOT_ACCEPTED = "seat_not_accepted"
    SUPERVISOR_NOT_APPOINTED = "supervisor_not_appointed"
    TERM_EXPIRED = "term_expired"
    NOT_STAFF = "not_staff"
    NOT_REGULATOR = "not_regulator"
    NOT_READER = "not_reader"
    # The session and the lot.
    SESSION_UNKNOWN = "session_unknown"
    SESSION_NOT_LIVE = "session_not_live"
    SESSION_NOT_ENDED = "session_not_ended"
    LOT_NOT_PUBLIC = "lot_not_public"
    # Input.
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    DECISION_INVALID = "decision_invalid"
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    CHECKLIST_INVALID = "checklist_invalid"
    RATING_INVALID = "rating_invalid"
    REFUSAL_REASON_REQUIRED = "refusal_reason_required"
    ATTACHMENT_INVALID = "attachment_invalid"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    # Records.
    STOP_REQUEST_NOT_FOUND = "stop_request_not_found"
    QUESTION_NOT_FOUND = "question_not_found"
    ASSIGNMENT_NOT_FOUND = "assignment_not_found"
    REPORT_NOT_FOUND = "report_not_found"
    ALREADY_ANSWERED = "already_answered"
    REPORT_LOCKED = "report_locked"
    ALREADY_CHECKED_IN = "already_checked_in"


class SessionError(SupervisionError):
    """A step of a session's supervision refused: a ``SessionErrorCode`` and a translated message."""

import enum

from django.utils.translation import gettext_lazy as _

from trading.errors import PlatformError


class SupervisionErrorCode(enum.StrEnum):
    NOT_SUPERVISOR = "not_supervisor"
    SUPERVISOR_CONFLICT = "supervisor_conflict"
    ALREADY_ASSIGNED = "already_assigned"
    LOT_ENDED = "lot_ended"
    ASSIGNMENT_NOT_FOUND = "assignment_not_found"
    ALREADY_REVOKED = "already_revoked"
    NOT_ASSIGNED = "not_assigned"
    NOTE_TOO_LONG = "note_too_long"
    NOTE_INVALID = "note_invalid"
    WITNESS_NOT_PRESENT = "witness_not_present"
    # Challenges and complaints.
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    KNOWN_ON_INVALID = "known_on_invalid"
    NOT_INTERESTED_PARTY = "not_interested_party"
    CHALLENGE_NOT_APPLICABLE = "challenge_not_applicable"
    CHALLENGE_FILING = "challenge_filing"
    CHALLENGE_NOT_FOUND = "challenge_not_found"
    CHALLENGE_ALREADY_REPLIED = "challenge_already_replied"
    CHALLENGE_REQUIRED = "challenge_required"
    CHALLENGE_REPLY_PENDING = "challenge_reply_pending"
    COMPLAINT_FILING = "complaint_filing"
    COMPLAINT_NOT_FOUND = "complaint_not_found"
    COMPLAINT_STATUS = "complaint_status"
    COMPLAINT_ALREADY_HOLDS = "complaint_already_holds"
    OUTCOME_INVALID = "outcome_invalid"
    TERMINATE_NEEDS_UPHELD = "terminate_needs_upheld"


class SupervisionError(PlatformError):
    """A supervision step refused: a stable ``code`` (``SupervisionErrorCode``) and a translated message."""


def not_assigned() -> SupervisionError:
    return SupervisionError(SupervisionErrorCode.NOT_ASSIGNED,
                            _("Only a supervisor assigned to this lot can keep an observation note on it."), status=403)

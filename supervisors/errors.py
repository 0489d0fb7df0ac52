import enum

from django.utils.translation import gettext_lazy as _

from trading.errors import PlatformError


class SupervisionErrorCode(enum.StrEnum):
    NOT_SUPERVISOR = "not_supervisor"
    ALREADY_ASSIGNED = "already_assigned"
    LOT_ENDED = "lot_ended"
    ASSIGNMENT_NOT_FOUND = "assignment_not_found"
    ALREADY_REVOKED = "already_revoked"
    NOT_ASSIGNED = "not_assigned"
    NOTE_TOO_LONG = "note_too_long"
    NOTE_INVALID = "note_invalid"
    WITNESS_NOT_PRESENT = "witness_not_present"


class SupervisionError(PlatformError):
    """A supervision step refused: a stable ``code`` (``SupervisionErrorCode``) and a translated message."""


def not_assigned() -> SupervisionError:
    return SupervisionError(SupervisionErrorCode.NOT_ASSIGNED,
                            _("Only a supervisor assigned to this lot can keep an observation note on it."), status=403)

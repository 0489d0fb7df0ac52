import enum

from trading.errors import PlatformError


class RatingErrorCode(enum.StrEnum):
    SERVICE_NOT_FOUND = "service_not_found"
    RATING_NOT_FOUND = "rating_not_found"
    LEVEL_INVALID = "level_invalid"
    COMMENT_REQUIRED = "comment_required"
    COMMENT_TOO_LONG = "comment_too_long"
    ALREADY_RATED = "already_rated"
    RATING_CLOSED = "rating_closed"
    NOT_SERVED = "not_served"
    NOT_STAFF = "not_staff"
    ANSWER_REQUIRED = "answer_required"
    ANSWER_TOO_LONG = "answer_too_long"
    ALREADY_ANSWERED = "already_answered"


class RatingError(PlatformError):
    """A rating or an answer refused: a stable ``code`` (``RatingErrorCode``) and a translated message."""

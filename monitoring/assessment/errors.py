"""Refusals of the staff assessment: a stable code each and a translated message."""
import enum

from trading.errors import PlatformError


class AssessmentErrorCode(enum.StrEnum):
    NOT_STAFF_MANAGER = "not_staff_manager"
    NOT_THE_MANAGER = "not_the_manager"
    NOT_VISIBLE = "not_visible"
    SELF_ASSESSMENT = "self_assessment"
    NOT_STAFF = "not_staff"
    PERSON_NOT_FOUND = "person_not_found"
    PERIOD_INVALID = "period_invalid"
    PERIOD_TOO_LONG = "period_too_long"
    PERIOD_NOT_OVER = "period_not_over"
    ASSESSMENT_EXISTS = "assessment_exists"
    ASSESSMENT_NOT_FOUND = "assessment_not_found"
    ASSESSMENT_FINAL = "assessment_final"
    INDICATOR_UNKNOWN = "indicator_unknown"
    INDICATOR_COMPUTED = "indicator_computed"
    VALUE_INVALID = "value_invalid"
    VETO_VALUE = "veto_value"
    VETO_WEIGHT = "veto_weight"
    WEIGHT_INVALID = "weight_invalid"
    WEIGHTS_SUM = "weights_sum"
    SCORES_MISSING = "scores_missing"


class AssessmentError(PlatformError):
    """A staff-assessment step refused: an ``AssessmentErrorCode`` and a translated message."""

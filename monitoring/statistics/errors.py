"""Refusals of the statistics: a stable code each, a translated message (trading.errors)."""
import enum

from trading.errors import PlatformError


class StatisticsErrorCode(enum.StrEnum):
    NOT_ALLOWED = "not_allowed"
    BAD_YEAR = "bad_year"
    BAD_LANGUAGE = "bad_language"
    BAD_PERIOD = "bad_period"
    BAD_MARKET = "bad_market"
    BAD_SECTOR = "bad_sector"
    BAD_FIGURE = "bad_figure"
    REPORT_NOT_FOUND = "report_not_found"


class StatisticsError(PlatformError):
    pass

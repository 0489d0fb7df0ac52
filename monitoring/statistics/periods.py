"""The periods the statistics count in: a year, a quarter or a month of Beijing time.

A period is named by a key: ``2026`` (the year), ``2026-Q3`` (a quarter), ``2026-07`` (a month). A
period that has not ended yet is counted up to now, and its year-on-year comparison (同比) is the
same stretch of the year before, cut at the same moment: January to now against January to this day
a year ago, never a part of this year against the whole of the last (docs/statistics.md).
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.workdays import CHINA

YEAR, QUARTER, MONTH = "year", "quarter", "month"
GRANULARITIES = [(YEAR, _("Year")), (QUARTER, _("Quarter")), (MONTH, _("Month"))]
_KEY = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodError(ValueError):
    """Not a period key the statistics know."""


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def key(self) -> str:
        if self.quarter:
            return f"{self.year}-Q{self.quarter}"
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return str(self.year)

    @property
    def granularity(self) -> str:
        return QUARTER if self.quarter else MONTH if self.month else YEAR

    @property
    def first_month(self) -> int:
        return (self.quarter - 1) * 3 + 1 if self.quarter else self.month or 1

    @property
    def months(self) -> int:
        return 3 if self.quarter else 1 if self.month else 12

    def label(self, language: str = "") -> str:
        """``2026年第3季度`` / ``2026 Q3``; ``2026年7月`` / ``2026-07``; ``2026年`` / ``2026``."""
        english = language.startswith("en") if language else _english()
        if self.quarter:
            return f"{self.year} Q{self.quarter}" if english else f"{self.year}年第{self.quarter}季度"
        if self.month:
            return f"{self.year}-{self.month:02d}" if english else f"{self.year}年{self.month}月"
        return str(self.year) if english else f"{self.year}年"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first_month, 1, tzinfo=CHINA)

    @property
    def end(self) -> datetime:
        """The period's own end (exclusive), whatever the time now."""
        end_month = self.first_month + self.months
        return datetime(self.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=CHINA)

    def bounds(self, *, previous: bool = False, now: datetime | None = None) -> tuple[datetime, datetime]:
        """[since, until) of the period in Beijing time, cut at ``now`` while it runs (empty before it
        begins); with ``previous``, the same stretch one year earlier, cut at the same moment."""
        now = now or clock.now()
        since = self.start
        until = max(since, min(self.end, now)).astimezone(CHINA)
        if previous:
            return _year_back(since), _year_back(until)
        return since, until

    def cut_at(self, now: datetime | None = None) -> datetime | None:
        """The moment the period is counted to while it runs; None once it has ended (or before it
        begins)."""
        now = now or clock.now()
        return now if self.start < now < self.end else None

    @property
    def previous_year(self) -> "Period":
        return Period(self.year - 1, self.quarter, self.month)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _year_back(moment: datetime) -> datetime:
    local = moment.astimezone(CHINA)
    day = local.day if not (local.month == 2 and local.day == 29) else 28
    return datetime.combine(date(local.year - 1, local.month, day), local.timetz().replace(tzinfo=None),
                            tzinfo=CHINA)


def period_parse(key: str) -> Period:
    """The period a key names; PeriodError for anything else."""
    found = _KEY.fullmatch(str(key or "").strip())
    if not found or not FIRST_YEAR <= int(found["year"]) <= LAST_YEAR:
        raise PeriodError(key)
    return Period(int(found["year"]), int(found["quarter"]) if found["quarter"] else None,
                  int(found["month"]) if found["month"] else None)


def periods_of(*, year: int, granularity: str) -> list[Period]:
    """The periods of ``year`` at ``granularity``, in order."""
    if granularity == QUARTER:
        return [Period(year, quarter=q) for q in range(1, 5)]
    if granularity == MONTH:
        return [Period(year, month=m) for m in range(1, 13)]
    return [Period(year)]


def period_of(moment: datetime, granularity: str) -> Period:
    """The period of ``granularity`` that holds ``moment`` (in Beijing time)."""
    local = moment.astimezone(CHINA)
    if granularity == QUARTER:
        return Period(local.year, quarter=(local.month - 1) // 3 + 1)
    if granularity == MONTH:
        return Period(local.year, month=local.month)
    return Period(local.year)


def current_year(now: datetime | None = None) -> int:
    return (now or clock.now()).astimezone(CHINA).year


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA)

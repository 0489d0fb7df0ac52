"""Working-day arithmetic over China's official calendar, and the one convention for deadlines.

Conventions (the way 民法典 Arts 201–203 count periods set in days, which tender law follows):

- "N days after X" counts from the day after X: day 1 is X+1 and the period's last day is X+N.
  "N days before X" mirrors it (a negative N): the last day is X−N. With working days, non-working
  days are skipped in both directions. N = 0 gives X's own day.
- Days are Asia/Shanghai days whatever the server's or the viewer's zone; instants are stored and
  compared as aware UTC.
- The last day counts whole: a deadline falls at its end (24:00 local), kept as the exclusive
  instant 00:00 of the next local day, in UTC. For a maximum ("reply within 3 days") the act is in
  time while ``now < deadline.at``. For a minimum between two events ("bids close at least 20 days
  after the documents are issued": 招标投标法 Art 24 counts to the closing day inclusive) the later
  event may fall at any time on ``deadline.last_day`` or after. The time of day of X is not kept: a
  legal period is whole days, and keeping X's hour would end the same rule at a different hour for
  each notice and cut a maximum period short of the law's end of day.
- Calendar days are plain date arithmetic. A period that must not end on a holiday (Art 203) can be
  moved on with ``add_working_days(last_day - 1 day, 1)``.
- Minutes keep the exact instant: ``start + N minutes``.
- A working-day result is provisional when any year the count passed through is not confirmed by
  staff (a year missing from the table is unconfirmed too).

The calendar is loaded once per process and reused until a shared token in Django's cache changes;
saving or deleting a ``CalendarDay`` or ``CalendarYear`` changes the token after commit, so every
process reloads on its next use. Bulk updates, which send no signals, call ``calendar_cache_clear``.
"""
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection, transaction

CHINA = ZoneInfo("Asia/Shanghai")
CALENDAR_DAYS, WORKING_DAYS, MINUTES = "calendar_days", "working_days", "minutes"  # RuleUnit values

_TOKEN_KEY = "trading:workdays:token"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """The exceptions to Monday–Friday (day → is it a working day) and the confirmed years."""

    exceptions: Mapping[date, bool]
    confirmed_years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (before it for negative n); ``day`` itself for 0."""
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        The inverse of ``add_working_days`` on working days: ``add_working_days(a, n) == b``."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count

    def unconfirmed_years(self, first: date, last: date) -> tuple[int, ...]:
        low, high = min(first, last), max(first, last)
        return tuple(y for y in range(low.year, high.year + 1) if y not in self.confirmed_years)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    """Aware UTC; the period is open while ``now < at`` (24:00 of ``last_day`` in China)."""
    last_day: date
    """The local Asia/Shanghai day the period ends on (for minutes: the day ``at`` falls on)."""
    provisional: bool
    unconfirmed_years: tuple[int, ...] = ()


def local_day(instant: datetime) -> date:
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no day in China; pass an aware one")
    return instant.astimezone(CHINA).date()


def day_end(day: date) -> datetime:
    """24:00 of a China day, as the aware UTC instant that starts the next day."""
    return datetime.combine(day + _ONE_DAY, time.min, tzinfo=CHINA).astimezone(UTC)


def deadline_add(*, start: datetime, amount: int, unit: str, calendar: WorkCalendar | None = None) -> Deadline:
    """The end of a period of ``amount`` units from ``start`` (see the module's conventions).

    Pure apart from loading the calendar; callers that can write alert staff of a provisional
    result through ``services_calendar.calendar_provisional_alert`` (or use ``deadline_compute``).
    """
    first = local_day(start)
    if unit == MINUTES:
        at = (start + timedelta(minutes=amount)).astimezone(UTC)
        return Deadline(at=at, last_day=local_day(at), provisional=False)
    if unit == CALENDAR_DAYS:
        last = first + timedelta(days=amount)
        return Deadline(at=day_end(last), last_day=last, provisional=False)
    if unit == WORKING_DAYS:
        calendar = calendar or calendar_current()
        last = calendar.add_working_days(first, amount)
        years = calendar.unconfirmed_years(first, last)
        return Deadline(at=day_end(last), last_day=last, provisional=bool(years), unconfirmed_years=years)
    raise ValueError(f"{unit!r} is not a unit of time")


def is_working_day(day: date) -> bool:
    return calendar_current().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    return calendar_current().add_working_days(day, n)


def working_days_between(a: date, b: date) -> int:
    return calendar_current().working_days_between(a, b)


# --- the cached calendar ------------------------------------------------------------------------------

_cached: tuple[str, WorkCalendar] | None = None
_thread = threading.local()


def calendar_current() -> WorkCalendar:
    """The calendar as this connection sees it: cached per process while the shared token holds."""
    global _cached
    if getattr(_thread, "dirty", False):
        # This thread's open transaction changed the calendar: read its own rows, and cache nothing
        # that a rollback could take back.
        if connection.in_atomic_block:
            return _load()
        _thread.dirty = False
    # The token is read before the rows: a change committed in between leaves a stale snapshot
    # under the old token, which the next call replaces.
    token = _token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    loaded = _load()
    _cached = (token, loaded)
    return loaded


def calendar_changed(**kwargs) -> None:
    """Receiver for saves and deletes of calendar rows: other processes reload once this commits."""
    _thread.dirty = True
    transaction.on_commit(calendar_cache_clear, using=kwargs.get("using"))


def calendar_cache_clear() -> None:
    global _cached
    _thread.dirty = False
    _cached = None
    cache.set(_TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def _token() -> str:
    token = cache.get(_TOKEN_KEY)
    if token is None:  # first use, or the cache was flushed: any new token makes every process reload
        cache.add(_TOKEN_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(_TOKEN_KEY)
    return token


def _load() -> WorkCalendar:
    from trading.models.calendar import CalendarDay, CalendarYear

    return WorkCalendar(
        exceptions=dict(CalendarDay.objects.values_list("day", "is_working_day")),
        confirmed_years=frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)),
    )

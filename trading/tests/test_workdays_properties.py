"""Properties of working-day arithmetic (``trading.workdays``) over generated calendars (hypothesis):
any mix of holidays moved off weekdays and make-up working days (调休) on weekends."""
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, strategies as st

from trading.workdays import CALENDAR_DAYS, CHINA, MINUTES, WORKING_DAYS, WorkCalendar, deadline_add, local_day

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
calendars = st.builds(
    lambda exceptions, years: WorkCalendar(exceptions=exceptions, confirmed_years=frozenset(years)),
    st.dictionaries(days, st.booleans(), max_size=60), st.sets(st.integers(2024, 2029), max_size=6))
amounts = st.integers(-40, 40)
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(UTC))


@given(calendar=calendars, day=days, n=amounts)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_away(calendar, day, n):
    result = calendar.add_working_days(day, n)
    if n == 0:
        assert result == day
        return
    assert calendar.is_working_day(result) and (result > day) == (n > 0)
    if n > 0 or calendar.is_working_day(day):
        assert calendar.working_days_between(day, result) == n


@given(calendar=calendars, day=days, a=st.integers(0, 30), b=st.integers(0, 30))
def test_working_days_add_up(calendar, day, a, b):
    assert calendar.add_working_days(calendar.add_working_days(day, a), b) == calendar.add_working_days(day, a + b)


@given(calendar=calendars, a=days, b=days)
def test_counting_between_two_days_is_antisymmetric_and_never_more_than_the_calendar_days(calendar, a, b):
    count = calendar.working_days_between(a, b)
    assert count == -calendar.working_days_between(b, a)
    assert abs(count) <= abs((b - a).days)


@given(calendar=calendars, start=instants, n=st.integers(0, 40))
def test_a_period_of_days_ends_at_midnight_in_china_on_its_last_day_and_grows_with_its_length(calendar, start, n):
    for unit in (CALENDAR_DAYS, WORKING_DAYS):
        deadline = deadline_add(start=start, amount=n, unit=unit, calendar=calendar)
        longer = deadline_add(start=start, amount=n + 1, unit=unit, calendar=calendar)
        local = deadline.at.astimezone(CHINA)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        assert local.date() == deadline.last_day + timedelta(days=1) and deadline.at > start
        assert longer.at > deadline.at
    working = deadline_add(start=start, amount=n, unit=WORKING_DAYS, calendar=calendar)
    assert working.provisional == bool(working.unconfirmed_years)
    assert set(working.unconfirmed_years).isdisjoint(calendar.confirmed_years)


@given(start=instants, n=st.integers(-10_000, 10_000))
def test_minutes_keep_the_exact_instant(start, n):
    deadline = deadline_add(start=start, amount=n, unit=MINUTES)
    assert deadline.at == start + timedelta(minutes=n) and deadline.last_day == local_day(deadline.at)
    assert not deadline.provisional

"""The working-day calendar: seeded 2025–2027 from ``holidays`` 0.109, staff corrections and
confirmation, provisional deadlines and their alerts, and the staff page.

The 2026 facts below are the State Council's notice (国办发明电〔2025〕7号): New Year 1–3 Jan with
Sun 4 Jan worked; Spring Festival 15–23 Feb with Sat 14 Feb and Sat 28 Feb worked; Labour Day
1–5 May with Sat 9 May worked; National Day and Mid-Autumn 1–7 Oct with Sun 20 Sep and Sat 10 Oct
worked.
"""
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from monitoring.models import AuditEntry
from trading.errors import TradingError
from trading.models import CalendarAlert, CalendarDay, CalendarYear
from trading.services_calendar import (calendar_alert_acknowledge, calendar_day_set, calendar_unconfirmed_sweep,
                                       calendar_year_confirm, deadline_compute)
from trading.workdays import (add_working_days, calendar_cache_clear, deadline_add, is_working_day,
                              working_days_between)

# The lead includes trading.urls_calendar at calendar/; until then these tests mount it themselves.
pytestmark = pytest.mark.django_db

CHINA = ZoneInfo("Asia/Shanghai")
D = date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # A test's rows are rolled back, not committed: drop what the process cached from them.
    yield
    calendar_cache_clear()


def china(day: str, hour: int = 10) -> datetime:
    return datetime.combine(D(day), datetime.min.time(), tzinfo=CHINA).replace(hour=hour)


def events(kind: str) -> int:
    return AuditEntry.objects.filter(kind=kind).count()


def make_up_workdays(year: int) -> list[str]:
    return [d.isoformat() for d in CalendarDay.objects.filter(day__year=year, is_working_day=True)
            .values_list("day", flat=True)]


def test_seeded_make_up_workdays_are_the_packages_weekend_workdays():
    assert make_up_workdays(2025) == ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
    assert make_up_workdays(2026) == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                                      "2026-10-10"]
    # holidays 0.109 predates the 2027 notice: statutory days plus its observed-day estimate, no make-up days.
    assert make_up_workdays(2027) == []
    assert list(CalendarYear.objects.values_list("year", "confirmed")) == [(2025, False), (2026, False), (2027, False)]
    assert CalendarDay.objects.get(day=D("2026-02-14")).name == "调休上班（2026-02-20 休息）"


@pytest.mark.parametrize("day, working", [
    ("2026-01-02", False), ("2026-01-04", True),
    ("2026-02-13", True), ("2026-02-14", True), ("2026-02-15", False), ("2026-02-16", False), ("2026-02-20", False),
    ("2026-02-23", False), ("2026-02-24", True), ("2026-02-28", True), ("2026-03-01", False),
    ("2026-05-05", False), ("2026-05-09", True),
    ("2026-09-20", True), ("2026-09-25", False), ("2026-10-01", False), ("2026-10-05", False), ("2026-10-07", False),
    ("2026-10-08", True), ("2026-10-10", True), ("2026-10-11", False),
])
def test_2026_days_follow_the_state_council_notice(day, working):
    assert is_working_day(D(day)) is working


def test_working_days_across_the_2026_spring_festival():
    assert add_working_days(D("2026-02-13"), 1) == D("2026-02-14")  # Saturday worked
    assert add_working_days(D("2026-02-14"), 1) == D("2026-02-24")  # 15–23 February off
    assert add_working_days(D("2026-02-24"), 4) == D("2026-02-28")  # Saturday worked again
    assert add_working_days(D("2026-02-24"), -1) == D("2026-02-14")
    assert working_days_between(D("2026-02-13"), D("2026-02-28")) == 6
    assert working_days_between(D("2026-02-28"), D("2026-02-13")) == -6
    assert add_working_days(D("2026-02-13"), 0) == D("2026-02-13")


def test_working_days_across_the_2026_national_day():
    assert add_working_days(D("2026-09-18"), 1) == D("2026-09-20")  # Sunday worked
    assert add_working_days(D("2026-09-30"), 1) == D("2026-10-08")  # 1–7 October off
    assert add_working_days(D("2026-10-08"), 2) == D("2026-10-10")  # Saturday worked
    assert working_days_between(D("2026-09-30"), D("2026-10-12")) == 4  # 8, 9, 10, 12 October


def test_a_deadline_ends_at_midnight_in_china_of_its_last_day():
    deadline = deadline_add(start=china("2026-02-13", 16), amount=3, unit="working_days")
    assert deadline.last_day == D("2026-02-25")  # 14, 24, 25 February
    assert deadline.at == datetime(2026, 2, 25, 16, tzinfo=UTC) == china("2026-02-26", 0)
    assert deadline.provisional and deadline.unconfirmed_years == (2026,)

    plain = deadline_add(start=china("2026-02-13", 16), amount=20, unit="calendar_days")
    assert (plain.last_day, plain.at, plain.provisional) == (D("2026-03-05"), china("2026-03-06", 0), False)


def test_the_day_counted_from_is_the_day_in_china_not_in_utc():
    start = datetime(2026, 2, 13, 17, 30, tzinfo=UTC)  # 14 February, 01:30 in China
    assert deadline_add(start=start, amount=1, unit="calendar_days").last_day == D("2026-02-15")
    assert deadline_add(start=start, amount=-15, unit="calendar_days").last_day == D("2026-01-30")


def test_minutes_keep_the_instant_and_naive_times_are_refused():
    start = china("2026-02-16", 9)
    assert deadline_add(start=start, amount=5, unit="minutes").at == start + timedelta(minutes=5)
    with pytest.raises(ValueError):
        deadline_add(start=datetime(2026, 2, 16, 9), amount=5, unit="minutes")
    with pytest.raises(ValueError):
        deadline_add(start=start, amount=5, unit="percent")


def test_a_staff_correction_changes_the_arithmetic_at_once():
    calendar_day_set(day=D("2026-02-24"), is_working_day=False, name="春节延长假期", actor="user:1")
    assert add_working_days(D("2026-02-14"), 1) == D("2026-02-25")
    row = CalendarDay.objects.get(day=D("2026-02-24"))
    assert (row.source, row.updated_by) == ("staff", "user:1")

    assert calendar_day_set(day=D("2026-02-24"), is_working_day=True, name="", actor="user:1") is None
    assert not CalendarDay.objects.filter(day=D("2026-02-24")).exists()
    assert add_working_days(D("2026-02-14"), 1) == D("2026-02-24")
    assert events("calendar.day_set") == 2


def test_a_correction_of_a_package_day_keeps_what_it_was_in_the_audit_trail():
    calendar_day_set(day=D("2026-02-28"), is_working_day=False, name="更正", actor="user:1")
    entry = AuditEntry.objects.get(kind="calendar.day_set")
    assert entry.subject == "calendar:2026"
    assert entry.data["previous"] == {"is_working_day": True, "name": "调休上班（2026-02-23 休息）",
                                      "source": "holidays"}


def test_the_cached_calendar_follows_a_committed_correction(django_capture_on_commit_callbacks,
                                                            django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=D("2026-03-02"), is_working_day=False, name="测试", actor="user:1")
    assert not is_working_day(D("2026-03-02"))
    with django_assert_num_queries(0):
        assert not is_working_day(D("2026-03-02"))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(day=D("2026-03-02"), is_working_day=True, name="", actor="user:1")
    assert is_working_day(D("2026-03-02"))


@pytest.mark.parametrize("kwargs, code", [
    ({"day": D("2029-02-05"), "is_working_day": False, "name": " "}, "calendar_name_required"),
    ({"day": D("2029-02-05"), "is_working_day": False, "name": "节" * 101}, "calendar_name_too_long"),
    ({"day": D("1999-02-03"), "is_working_day": False, "name": "春节"}, "calendar_year_out_of_range"),
])
def test_a_refused_correction_changes_nothing(kwargs, code):
    days, years = CalendarDay.objects.count(), CalendarYear.objects.count()
    with pytest.raises(TradingError) as refused:
        calendar_day_set(**kwargs, actor="user:1")
    assert refused.value.code == code
    assert (CalendarDay.objects.count(), CalendarYear.objects.count(), events("calendar.day_set")) == (days, years, 0)


def test_setting_a_day_to_what_it_is_records_nothing():
    assert calendar_day_set(day=D("2026-03-07"), is_working_day=False, name="", actor="user:1") is None
    calendar_day_set(day=D("2026-02-14"), is_working_day=True, name="调休上班（2026-02-20 休息）", actor="user:1")
    assert events("calendar.day_set") == 0
    assert CalendarDay.objects.get(day=D("2026-02-14")).source == "holidays"


def test_a_provisional_deadline_alerts_staff_once_and_confirming_makes_it_firm():
    for _ in range(3):
        assert deadline_compute(start=china("2026-03-02"), amount=5, unit="working_days").provisional
    assert list(CalendarAlert.objects.values_list("year", "reason")) == [(2026, "provisional_deadline")]
    assert events("alert.raised") == 1

    calendar_year_confirm(year=2026, actor="user:7")
    year = CalendarYear.objects.get(pk=2026)
    assert (year.confirmed, year.confirmed_by) == (True, "user:7")
    assert CalendarAlert.objects.get(year=2026).acknowledged_by == "user:7"
    deadline = deadline_compute(start=china("2026-03-02"), amount=5, unit="working_days")
    assert (deadline.provisional, deadline.last_day) == (False, D("2026-03-09"))
    assert CalendarAlert.objects.count() == 1


def test_a_deadline_reaching_into_an_unconfirmed_or_unknown_year_is_provisional():
    calendar_year_confirm(year=2026, actor="user:7")
    into_2027 = deadline_compute(start=china("2026-12-30"), amount=3, unit="working_days")
    assert (into_2027.last_day, into_2027.unconfirmed_years) == (D("2027-01-05"), (2027,))
    beyond = deadline_compute(start=china("2030-06-03"), amount=1, unit="working_days")
    assert beyond.provisional and beyond.unconfirmed_years == (2030,)
    assert sorted(CalendarAlert.objects.values_list("year", flat=True)) == [2027, 2030]


@pytest.mark.parametrize("year, code", [(2031, "calendar_year_empty"), (1999, "calendar_year_out_of_range")])
def test_confirming_a_year_nobody_entered_is_refused(year, code):
    with pytest.raises(TradingError) as refused:
        calendar_year_confirm(year=year, actor="user:7")
    assert refused.value.code == code
    assert not CalendarYear.objects.filter(confirmed=True).exists() and events("calendar.year_confirmed") == 0


def test_a_year_is_confirmed_once():
    calendar_year_confirm(year=2026, actor="user:7")
    with pytest.raises(TradingError) as refused:
        calendar_year_confirm(year=2026, actor="user:8")
    assert refused.value.code == "calendar_year_confirmed"
    assert CalendarYear.objects.get(pk=2026).confirmed_by == "user:7"


def test_the_sweep_alerts_for_the_current_year_and_the_coming_one_within_60_days():
    with time_machine.travel(china("2026-11-01"), tick=False):  # 61 days before 2027
        assert calendar_unconfirmed_sweep() == {"checked": [2026], "raised": [2026]}
    with time_machine.travel(china("2026-11-02"), tick=False):
        result = calendar_unconfirmed_sweep()
        assert result == {"checked": [2026, 2027], "raised": [2027]}
        json.dumps(result)
        assert calendar_unconfirmed_sweep()["raised"] == []
    assert events("alert.raised") == 2
    assert CalendarAlert.objects.get(year=2027).reason == "year_unconfirmed"


def test_the_sweep_leaves_a_confirmed_year_alone():
    calendar_year_confirm(year=2026, actor="user:7")
    with time_machine.travel(china("2026-06-01"), tick=False):
        assert calendar_unconfirmed_sweep() == {"checked": [2026], "raised": []}


def test_an_alert_is_acknowledged_once_and_kept():
    deadline_compute(start=china("2027-03-01"), amount=1, unit="working_days")
    alert = CalendarAlert.objects.get(year=2027)
    calendar_alert_acknowledge(alert_id=alert.pk, actor="user:7")
    with pytest.raises(TradingError) as refused:
        calendar_alert_acknowledge(alert_id=alert.pk, actor="user:8")
    assert refused.value.code == "calendar_alert_acknowledged"
    assert CalendarAlert.objects.get(pk=alert.pk).acknowledged_by == "user:7"


# --- the staff page ------------------------------------------------------------------------------------

def test_the_page_is_for_staff_only(client, bidder_a, regulator):
    assert client.get(reverse("calendar-year", args=[2026])).status_code == 302  # to sign in
    for person in (bidder_a, regulator):
        client.force_login(person)
        assert client.get(reverse("calendar-year", args=[2026])).status_code == 403
        response = client.post(reverse("calendar-day-correct", args=[2026]),
                               {"day": "2026-03-02", "is_working_day": "0", "name": "x"})
        assert response.status_code == 403
        assert client.post(reverse("calendar-year-confirm", args=[2026])).status_code == 403
    assert not CalendarDay.objects.filter(day=D("2026-03-02")).exists()
    assert not CalendarYear.objects.filter(confirmed=True).exists()


def test_staff_see_the_year_correct_a_day_and_confirm(client, staff):
    client.force_login(staff)
    page = client.get(reverse("calendar-year", args=[2026]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-day="2026-02-14"' in html and "Not confirmed" in html
    assert client.get(reverse("calendar-year", args=[2026]), HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200

    response = client.post(reverse("calendar-day-correct", args=[2026]),
                           {"day": "2026-03-02", "is_working_day": "0", "name": "测试假日"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(day=D("2026-03-02")).updated_by == f"user:{staff.pk}"

    assert client.post(reverse("calendar-year-confirm", args=[2026])).status_code == 302
    assert CalendarYear.objects.get(pk=2026).confirmed
    assert "Not confirmed" not in client.get(reverse("calendar-year", args=[2026]), HTTP_ACCEPT_LANGUAGE="en") \
        .content.decode()


def test_staff_are_told_why_a_correction_is_refused(client, staff):
    client.force_login(staff)
    response = client.post(reverse("calendar-day-correct", args=[2026]),
                           {"day": "2026-03-02", "is_working_day": "0", "name": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Give the holiday" in response.content.decode()
    assert not CalendarDay.objects.filter(day=D("2026-03-02")).exists()


def test_staff_acknowledge_an_alert_on_the_page(client, staff):
    deadline_compute(start=china("2027-03-01"), amount=1, unit="working_days")
    client.force_login(staff)
    assert "data-testid=\"alerts\"" in client.get(reverse("calendar-year", args=[2027])).content.decode()
    alert = CalendarAlert.objects.get(year=2027)
    assert client.post(reverse("calendar-alert-acknowledge", args=[alert.pk])).status_code == 302
    assert CalendarAlert.objects.get(pk=alert.pk).acknowledged_by == f"user:{staff.pk}"
    assert "data-testid=\"alerts\"" not in client.get(reverse("calendar-year", args=[2027])).content.decode()


@pytest.mark.django_db
def test_a_deadline_in_an_unconfirmed_year_is_shown_as_provisional_until_staff_confirm(client, make_lot):
    from django.urls import reverse

    from trading.services.lots import lot_publish, lot_submit
    from trading.services_calendar import calendar_year_confirm

    lot = make_lot("construction")
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="公告", body="……", actor="user:1")
    year = lot.bid_deadline.astimezone(CHINA).year
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="provisional"' in page
    calendar_year_confirm(year=year, actor="user:1")
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="provisional"' not in page

"""Recording availability (issue 21 §3, docs/availability.md): the probe opens an outage when a part
fails several probes in a row and closes it when the part answers (parts made to fail for real:
services pointed at closed ports); the database's own outage is written once it is back; a gap in
the sweeps' heartbeat is an outage; staff alone declare and change incidents, each on the record;
bad input is refused and stores nothing; the pages and the API in both languages."""
import socket
from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from trading.errors import TradingError
from trading.models import Outage, Part, PartState
from trading.services.availability import availability_probe_sweep, incident_change, incident_declare, pending_path
from trading.tests.builders import PUBLISHED_AT

pytestmark = pytest.mark.django_db

STEP = timedelta(seconds=5)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _rounds(clock, start, count):
    for number in range(count):
        clock.move_to(start + number * STEP, tick=False)
        yield availability_probe_sweep()


@pytest.mark.parametrize("part, setting, broken", [
    (Part.STORAGE, "S3_ENDPOINT_URL", "https://127.0.0.1:{port}"),
    (Part.REDIS, "REDIS_URL", "redis://127.0.0.1:{port}/0"),
])
def test_the_probe_opens_an_outage_after_three_failures_and_closes_it_when_the_part_answers(
        clock, settings, var_dir, part, setting, broken):
    working = getattr(settings, setting)
    setattr(settings, setting, broken.format(port=_closed_port()))
    start = PUBLISHED_AT
    results = list(_rounds(clock, start, 2))
    assert [result[part] for result in results] == ["failing", "failing"]
    assert not Outage.objects.exists()  # two failures are a blip, not an outage
    [third] = _rounds(clock, start + 2 * STEP, 1)
    assert third[part] == "opened" and third[Part.DATABASE] == "ok"
    outage = Outage.objects.get()
    assert (outage.part, outage.source, outage.started_at, outage.ended_at) == (part, "probe", start, None)
    assert outage.failures == 3 and "Error" in outage.reason
    list(_rounds(clock, start + 3 * STEP, 2))  # still failing: the same outage, no new row
    assert Outage.objects.count() == 1 and Outage.objects.get().failures == 5

    setattr(settings, setting, working)
    [back] = _rounds(clock, start + 10 * STEP, 1)
    assert back[part] == "closed"
    outage.refresh_from_db()
    assert outage.ended_at == start + 10 * STEP and outage.duration == 10 * STEP
    state = PartState.objects.get(part=part)
    assert state.failures == 0 and state.last_ok_at == start + 10 * STEP
    # A healthy round stores no new row: only changes are kept.
    list(_rounds(clock, start + 11 * STEP, 3))
    assert Outage.objects.count() == 1
    events = AuditEntry.objects.filter(subject=f"outage:{outage.pk}").order_by("subject_seq")
    assert [(event.kind, event.data["part"]) for event in events] == [
        ("availability.outage_opened", part), ("availability.outage_closed", part)]


# The probe's own connection reads the setting; the test's connection keeps its own.
DATABASES_OVERRIDE = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")


@DATABASES_OVERRIDE
def test_the_database_outage_is_kept_outside_it_and_written_when_it_is_back(clock, settings, var_dir):
    working = settings.DATABASES
    settings.DATABASES = {**working, "default": {**working["default"], "HOST": "127.0.0.1", "PORT": _closed_port()}}
    start = PUBLISHED_AT
    assert [result for result in _rounds(clock, start, 4)] == [{Part.DATABASE: "failing"}] * 4
    assert not Outage.objects.exists() and pending_path().exists()  # nothing could be written meanwhile
    settings.DATABASES = working
    [back] = _rounds(clock, start + 4 * STEP, 1)
    assert back[Part.DATABASE] == "recorded" and not pending_path().exists()
    outage = Outage.objects.get(part=Part.DATABASE)
    assert (outage.started_at, outage.ended_at, outage.failures) == (start, start + 4 * STEP, 4)
    assert AuditEntry.objects.filter(subject=f"outage:{outage.pk}", kind="availability.outage_recorded").exists()


@DATABASES_OVERRIDE
def test_a_database_blip_shorter_than_three_probes_is_no_outage(clock, settings, var_dir):
    working = settings.DATABASES
    settings.DATABASES = {**working, "default": {**working["default"], "HOST": "127.0.0.1", "PORT": _closed_port()}}
    list(_rounds(clock, PUBLISHED_AT, 2))
    settings.DATABASES = working
    list(_rounds(clock, PUBLISHED_AT + 2 * STEP, 1))
    assert not Outage.objects.exists() and not pending_path().exists()


def test_a_gap_in_the_sweeps_heartbeat_is_an_outage_of_the_sweeps(clock, var_dir):
    list(_rounds(clock, PUBLISHED_AT, 1))
    list(_rounds(clock, PUBLISHED_AT + timedelta(seconds=50), 1))  # within the allowed gap
    assert not Outage.objects.exists()
    back = PUBLISHED_AT + timedelta(minutes=10)
    list(_rounds(clock, back, 1))
    gap = Outage.objects.get()
    assert (gap.part, gap.started_at, gap.ended_at) == (Part.SWEEPS, PUBLISHED_AT + timedelta(seconds=50), back)


def test_only_staff_declare_an_incident_and_each_attempt_is_on_the_record(clock, staff, bidder_a, regulator):
    start = PUBLISHED_AT - timedelta(minutes=40)
    for person in (bidder_a, regulator):
        with pytest.raises(TradingError) as refused:
            incident_declare(person=person, started_at=start, reason="机房断电")
        assert refused.value.code == "incident_not_staff" and refused.value.status == 403
    assert not Outage.objects.exists()
    refusals = AuditEntry.objects.filter(kind="availability.refused")
    assert sorted(refusals.values_list("actor", flat=True)) == sorted([f"user:{bidder_a.pk}", f"user:{regulator.pk}"])

    api = APIClient()
    assert api.post("/api/v1/availability/incidents/", {"started_at": start.isoformat(), "reason": "x"},
                    format="json").status_code in (401, 403)
    api.force_authenticate(bidder_a)
    answer = api.post("/api/v1/availability/incidents/", {"started_at": start.isoformat(), "reason": "x"},
                      format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "incident_not_staff"
    api.force_authenticate(staff)
    made = api.post("/api/v1/availability/incidents/", {"started_at": start.isoformat(), "reason": "核心交换机故障"},
                    format="json")
    assert made.status_code == 201 and made.json()["ended_at"] is None and made.json()["source"] == "declared"
    incident = Outage.objects.get()
    event = AuditEntry.objects.get(kind="availability.incident_declared")
    assert event.actor == f"user:{staff.pk}" and event.subject == f"outage:{incident.pk}"
    assert event.data["reason"] == "核心交换机故障" and event.data["until"] is None


@pytest.mark.parametrize("change, code", [
    ({"ended_at": -timedelta(minutes=10)}, "incident_ends_before_start"),
    ({"ended_at": timedelta()}, "incident_ends_before_start"),
    ({"started_at": timedelta(hours=1)}, "incident_in_future"),
    ({"ended_at": timedelta(hours=2)}, "incident_end_in_future"),
    ({"reason": "  "}, "incident_reason_required"),
    ({"part": "kitchen"}, "incident_part_unknown"),
])
def test_bad_input_is_refused_and_nothing_is_stored(clock, staff, change, code):
    now = PUBLISHED_AT
    given = {"started_at": now - timedelta(minutes=30), "reason": "机房断电"}
    for name, value in change.items():
        given[name] = value if not isinstance(value, timedelta) else (
            given["started_at"] + value if name == "ended_at" else now + value)
    before = AuditEntry.objects.count()
    with pytest.raises(TradingError) as refused:
        incident_declare(person=staff, **given)
    assert refused.value.code == code
    assert not Outage.objects.exists() and AuditEntry.objects.count() == before


def test_the_api_refuses_an_end_before_the_start_with_a_clear_message(clock, staff):
    api = APIClient()
    api.force_authenticate(staff)
    start = PUBLISHED_AT - timedelta(hours=1)
    answer = api.post("/api/v1/availability/incidents/", {
        "started_at": start.isoformat(), "ended_at": (start - timedelta(minutes=5)).isoformat(), "reason": "断网"},
        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json() == {"code": "incident_ends_before_start", "detail": "An incident must end after it starts."}
    assert not Outage.objects.exists()


def test_staff_close_and_correct_an_incident_with_before_and_after_on_the_record(clock, staff, bidder_a):
    start = PUBLISHED_AT - timedelta(hours=1)
    incident = incident_declare(person=staff, started_at=start, reason="机房断电")
    with pytest.raises(TradingError) as refused:
        incident_change(person=bidder_a, incident_id=incident.pk, why="x", ended_at=PUBLISHED_AT)
    assert refused.value.code == "incident_not_staff"
    with pytest.raises(TradingError) as refused:
        incident_change(person=staff, incident_id=incident.pk, why="结束", ended_at=start - timedelta(minutes=1))
    assert refused.value.code == "incident_ends_before_start"
    incident.refresh_from_db()
    assert incident.ended_at is None

    api = APIClient()
    api.force_authenticate(staff)
    closed = api.patch(f"/api/v1/availability/incidents/{incident.pk}/",
                       {"ended_at": PUBLISHED_AT.isoformat(), "why": "供电恢复"}, format="json")
    assert closed.status_code == 200 and closed.json()["duration_seconds"] == 3600
    event = AuditEntry.objects.get(kind="availability.incident_changed")
    assert event.data["before"]["until"] is None and event.data["after"]["until"] == PUBLISHED_AT.isoformat()
    assert event.data["why"] == "供电恢复" and event.actor == f"user:{staff.pk}"
    same = api.patch(f"/api/v1/availability/incidents/{incident.pk}/",
                     {"ended_at": PUBLISHED_AT.isoformat(), "why": "again"}, format="json")
    assert same.status_code == 400 and same.json()["code"] == "incident_unchanged"


def test_the_staff_page_in_both_languages_and_who_may_open_it(clock, client, staff, bidder_a, regulator, settings,
                                                              var_dir):
    working = settings.S3_ENDPOINT_URL
    settings.S3_ENDPOINT_URL = f"https://127.0.0.1:{_closed_port()}"
    list(_rounds(clock, PUBLISHED_AT - timedelta(minutes=10), 3))
    settings.S3_ENDPOINT_URL = working
    incident_declare(person=staff, started_at=PUBLISHED_AT - timedelta(hours=3),
                     ended_at=PUBLISHED_AT - timedelta(hours=2), reason="运营商光缆中断")
    url = reverse("availability")
    client.force_login(bidder_a)
    assert client.get(url).status_code == 403
    client.force_login(regulator)
    seen = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "运营商光缆中断" in seen and "Declare the incident" not in seen
    client.force_login(staff)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Platform availability" in english and "Declare the incident" in english
    assert "still going on" in english and "1 h" in english and "Failing (3 probes)" in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and 'lang="zh-hans"' in chinese.content.decode()
    assert "运营商光缆中断" in chinese.content.decode()


def test_declaring_on_the_page_and_bad_input_there(clock, client, staff, bidder_a):
    client.force_login(bidder_a)
    form = {"started_at": "2026-09-01T09:00", "ended_at": "", "part": "platform", "reason": "机房断电"}
    assert client.post(reverse("availability-incident-declare"), form).status_code == 403
    client.force_login(staff)
    bad = client.post(reverse("availability-incident-declare"), {**form, "ended_at": "2026-09-01T08:00"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "An incident must end after it starts." in bad.content.decode()
    assert not Outage.objects.exists()
    made = client.post(reverse("availability-incident-declare"), form)
    incident = Outage.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("availability-incident", args=[incident.pk])
    assert incident.started_at == PUBLISHED_AT - timedelta(hours=1)  # 09:00 Beijing is 01:00 UTC
    changed = client.post(reverse("availability-incident-change", args=[incident.pk]), {
        "started_at": "2026-09-01T09:00", "ended_at": "2026-09-01T09:45", "reason": "机房断电", "why": "供电恢复"})
    assert changed.status_code == 302
    incident.refresh_from_db()
    assert incident.duration == timedelta(minutes=45)
    client.logout()
    public = client.get(reverse("availability-incidents"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "机房断电" in public and "45 min" in public
    detail = client.get(reverse("availability-incident", args=[incident.pk])).content.decode()
    assert "机房断电" in detail and "/change/" not in detail


def test_the_outage_list_is_for_staff_and_regulators_with_its_queries_pinned(clock, staff, bidder_a,
                                                                              django_assert_num_queries):
    for hours in (5, 4, 3):
        incident_declare(person=staff, started_at=PUBLISHED_AT - timedelta(hours=hours),
                         ended_at=PUBLISHED_AT - timedelta(hours=hours - 1), reason=f"故障 {hours}")
    api = APIClient()
    api.force_authenticate(bidder_a)
    assert api.get("/api/v1/availability/outages/").status_code == 403
    assert api.get("/api/v1/availability/incidents/").status_code == 200  # public
    api.force_authenticate(staff)
    with django_assert_num_queries(3):  # the count, the page, the extensions of its rows (roles known)
        listed = api.get("/api/v1/availability/outages/").json()
    assert [row["reason"] for row in listed["results"]] == ["故障 3", "故障 4", "故障 5"]
    stretch = api.get("/api/v1/availability/unavailability/", {
        "start": (PUBLISHED_AT - timedelta(hours=4, minutes=30)).isoformat(),
        "end": (PUBLISHED_AT - timedelta(hours=3)).isoformat()}).json()
    assert stretch["unavailable_seconds"] == 90 * 60 and len(stretch["outages"]) == 2
    wrong = api.get("/api/v1/availability/unavailability/", {"start": "yesterday", "end": "today"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "stretch_invalid"

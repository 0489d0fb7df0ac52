"""The outage rule (issue 21 §3, docs/availability.md): a platform outage longer than the rule table's
tolerance within its period before a bid deadline extends the deadline by the rule's amount, with
notices to everyone registered, an audit event and a row on the lot; shorter or earlier outages
extend nothing; each outage extends once; a deadline that passed while nothing ran is extended, not
closed."""
import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from monitoring.models import AuditEntry
from trading.models import DeadlineExtension, Lot, Notification, Outage, Part, Registration
from trading.selectors_availability import platform_unavailable
from trading.selectors_timeline import lot_story
from trading.services.availability import PROBE_SWEEP, availability_probe_sweep, incident_declare
from trading.services.extensions import deadline_outage_sweep
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create, registration_withdraw
from trading.tests.builders import lot_tender

pytestmark = pytest.mark.django_db

PROBE_INTERVAL = timedelta(seconds=5)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lot(clock, bidder_a, bidder_b, make_person):
    """A works lot taking bids (deadline 2026-10-20 09:30 Beijing) with two registered companies, a
    second bidder of the first, and a company that withdrew."""
    lot = lot_tender()
    registration_create(lot_id=lot.pk, user=bidder_a)
    registration_create(lot_id=lot.pk, user=bidder_b)
    make_person("bidder_a2", ["bidder"], organisation="甲建设有限公司")
    gone = make_person("bidder_gone", ["bidder"], organisation="丙工程有限公司")
    registration_withdraw(registration_id=registration_create(lot_id=lot.pk, user=gone).pk, user=gone)
    return lot


def _declare(staff, start, minutes, reason="机房断电"):
    return incident_declare(person=staff, started_at=start, ended_at=start + timedelta(minutes=minutes), reason=reason)


def test_a_storage_outage_the_probe_records_extends_the_deadline_with_notices_and_an_audit_event(
        lot, clock, settings):
    settings.PLATFORM_AVAILABILITY_GAP = 3600  # the rounds below skip ahead; no gap in the sweeps counts
    deadline = lot.bid_deadline
    working = settings.S3_ENDPOINT_URL
    clock.move_to(deadline - timedelta(minutes=100), tick=False)
    availability_probe_sweep()  # all well
    settings.S3_ENDPOINT_URL = f"https://127.0.0.1:{_closed_port()}"
    failed_from = deadline - timedelta(minutes=99)
    for round_ in range(3):
        clock.move_to(failed_from + round_ * PROBE_INTERVAL, tick=False)
        availability_probe_sweep()
    outage = Outage.objects.get(part=Part.STORAGE)
    assert outage.started_at == failed_from and outage.is_open
    clock.move_to(failed_from + timedelta(minutes=40), tick=False)
    settings.S3_ENDPOINT_URL = working
    availability_probe_sweep()
    outage.refresh_from_db()
    assert outage.ended_at == failed_from + timedelta(minutes=40)
    # Nothing to announce on the lot's own clock until the rule is applied.
    assert Lot.objects.get(pk=lot.pk).bid_deadline == deadline

    assert deadline_outage_sweep() == {"extended": 1}
    lot.refresh_from_db()
    assert lot.bid_deadline == deadline + timedelta(minutes=120) and lot.status == Lot.Status.BIDDING
    assert lot.next_due_at == lot.bid_deadline
    extension = DeadlineExtension.objects.get(lot=lot)
    assert (extension.old_deadline, extension.new_deadline) == (deadline, deadline + timedelta(hours=2))
    assert list(extension.outages.all()) == [outage]
    assert extension.unavailable_seconds == 40 * 60
    assert (extension.tolerance_minutes, extension.period_minutes, extension.extension_minutes) == (30, 120, 120)

    told = Notification.objects.filter(kind="lot.deadline_extended")
    assert sorted(told.values_list("user__username", flat=True)) == ["bidder_a", "bidder_a2", "bidder_b"]
    notice = told.get(user__username="bidder_a")
    assert "2026-10-20 11:30" in notice.title_en and "2026-10-20 11:30" in notice.title_zh
    assert "40 minutes" in notice.body_en and notice.link.endswith(f"/lots/{lot.pk}/#extensions")

    event = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="lot.deadline_extended")
    assert event.actor == "system:availability"
    assert event.data["from"] == deadline.isoformat() and event.data["to"] == lot.bid_deadline.isoformat()
    assert event.data["outages"] == [outage.pk] and event.data["extension"] == extension.pk
    assert "notified" not in event.data  # the lot's room must not learn how many registered
    kinds = list(AuditEntry.objects.filter(subject=f"outage:{outage.pk}").values_list("kind", flat=True))
    assert kinds == ["availability.outage_opened", "availability.outage_closed"]


def test_the_old_deadline_no_longer_closes_bidding_and_the_new_one_does(lot, clock, staff, make_person):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=20), tick=False)
    _declare(staff, deadline - timedelta(minutes=80), 45)
    deadline_outage_sweep()
    clock.move_to(deadline + timedelta(minutes=1), tick=False)
    assert lot_due_sweep() == {"applied": 0}
    # Registration closes with bidding, at the deadline in force: still open after the old one.
    late = make_person("bidder_late", ["bidder"], organisation="丁建设有限公司")
    assert registration_create(lot_id=lot.pk, user=late).status == Registration.Status.APPROVED
    clock.move_to(deadline + timedelta(hours=2), tick=False)
    assert lot_due_sweep() == {"applied": 1}
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.CLOSED


def test_an_outage_no_longer_than_the_tolerance_extends_nothing(lot, clock, staff):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=5), tick=False)
    _declare(staff, deadline - timedelta(minutes=60), 30)  # exactly the tolerance: not longer
    assert deadline_outage_sweep() == {"extended": 0}
    clock.move_to(deadline, tick=False)
    assert lot_due_sweep() == {"applied": 1}
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.CLOSED
    assert not DeadlineExtension.objects.exists() and not Notification.objects.filter(
        kind="lot.deadline_extended").exists()


def test_an_outage_outside_the_period_extends_nothing(lot, clock, staff):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=10), tick=False)
    # Three hours long, but over two minutes before the period of 120 minutes began.
    _declare(staff, deadline - timedelta(minutes=302), 180)
    assert deadline_outage_sweep() == {"extended": 0}
    assert Lot.objects.get(pk=lot.pk).bid_deadline == deadline


def test_outages_at_the_same_time_count_once_and_apart_they_add_up(lot, clock, staff):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=5), tick=False)
    first = _declare(staff, deadline - timedelta(minutes=100), 20, "网络中断")
    _declare(staff, deadline - timedelta(minutes=90), 20, "同一次中断，另报")  # 10 minutes of it overlap
    assert deadline_outage_sweep() == {"extended": 0}  # 30 minutes in all: not longer than the tolerance
    third = _declare(staff, deadline - timedelta(minutes=40), 5, "证书服务中断")
    assert deadline_outage_sweep() == {"extended": 1}
    extension = DeadlineExtension.objects.get(lot=lot)
    assert extension.unavailable_seconds == 35 * 60 and first in extension.outages.all()
    assert third in extension.outages.all()


def test_the_sweep_is_idempotent_and_an_outage_extends_once(lot, clock, staff):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=10), tick=False)
    _declare(staff, deadline - timedelta(minutes=70), 50)
    assert deadline_outage_sweep() == {"extended": 1}
    assert deadline_outage_sweep() == {"extended": 0}
    # Later rounds, the new deadline's period reaching back over it: the same outage extends nothing more.
    for later in (timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=125)):
        clock.move_to(deadline - timedelta(minutes=10) + later, tick=False)
        deadline_outage_sweep()
        lot_due_sweep()
    assert DeadlineExtension.objects.filter(lot=lot).count() == 1
    assert Notification.objects.filter(kind="lot.deadline_extended", user__username="bidder_a").count() == 1
    assert AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.deadline_extended").count() == 1
    assert Lot.objects.get(pk=lot.pk).bid_deadline == deadline + timedelta(hours=2)


def test_an_outage_still_going_on_keeps_the_deadline_ahead_of_it(lot, clock, staff):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=29), tick=False)
    incident = incident_declare(person=staff, started_at=deadline - timedelta(minutes=60), reason="机房断电")
    assert deadline_outage_sweep() == {"extended": 1}  # 31 minutes so far
    assert Lot.objects.get(pk=lot.pk).bid_deadline == deadline + timedelta(hours=2)
    # Still down: only its time after the first extension counts again, within the new period.
    clock.move_to(deadline + timedelta(minutes=30), tick=False)
    assert deadline_outage_sweep() == {"extended": 0}
    clock.move_to(deadline + timedelta(minutes=31), tick=False)
    assert deadline_outage_sweep() == {"extended": 1}
    first, second = DeadlineExtension.objects.filter(lot=lot).order_by("pk")
    assert second.counted_from == deadline and second.unavailable_seconds == 31 * 60
    assert list(second.outages.all()) == [incident]
    assert Lot.objects.get(pk=lot.pk).bid_deadline == deadline + timedelta(hours=4)


def test_a_deadline_that_passed_while_nothing_ran_is_extended_not_closed(lot, clock, settings):
    """The probe last beat 50 minutes before the deadline; nothing ran until 20 minutes after it.
    Whichever sweep a worker runs first, the deadline sweep records the gap and extends the deadline
    from now, rather than closing bidding."""
    settings.PLATFORM_SWEEPS = [*django_settings.PLATFORM_SWEEPS, PROBE_SWEEP]
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=50), tick=False)
    availability_probe_sweep()
    back = deadline + timedelta(minutes=20, seconds=7)
    clock.move_to(back, tick=False)
    assert lot_due_sweep() == {"applied": 0}
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    # Two hours from the moment bidders are told, to the next whole minute.
    assert lot.bid_deadline == deadline + timedelta(minutes=141)
    gap = Outage.objects.get(part=Part.SWEEPS)
    assert (gap.started_at, gap.ended_at) == (deadline - timedelta(minutes=50), back)
    extension = DeadlineExtension.objects.get(lot=lot)
    assert extension.counted_until == deadline and extension.unavailable_seconds == 50 * 60
    # The probe's own round that follows records nothing more, and extends nothing more.
    availability_probe_sweep()
    assert deadline_outage_sweep() == {"extended": 0}
    assert Outage.objects.filter(part=Part.SWEEPS).count() == 1


def test_the_opening_asks_whether_a_window_had_an_outage_longer_than_the_tolerance(lot, clock, staff):
    start = lot.bid_deadline + timedelta(hours=1)
    clock.move_to(start + timedelta(hours=1), tick=False)
    incident = _declare(staff, start + timedelta(minutes=10), 31)
    window = platform_unavailable(start=start, end=start + timedelta(minutes=30), lot=lot)
    assert window.total == timedelta(minutes=20) and not window.exceeded and window.outages == [incident]
    longer = platform_unavailable(start=start, end=start + timedelta(minutes=45), lot=lot)
    assert longer.total == timedelta(minutes=31) and longer.exceeded and longer.tolerance == timedelta(minutes=30)
    assert not platform_unavailable(start=start - timedelta(hours=1), end=start, lot=lot).outages


def test_the_lot_page_and_its_story_show_the_extension_in_both_languages(lot, clock, staff, client):
    deadline = lot.bid_deadline
    clock.move_to(deadline - timedelta(minutes=10), tick=False)
    _declare(staff, deadline - timedelta(minutes=70), 50, "市政电网故障，机房断电")
    deadline_outage_sweep()
    lot.refresh_from_db()
    extension = DeadlineExtension.objects.get(lot=lot)
    with translation.override("en"):
        story = lot_story(lot=lot)
        step = next(step for step in story.past if step.key == f"extension-{extension.pk}")
        assert str(step.label) == ("Bid deadline extended to 2026-10-20 11:30 after a platform outage "
                                   "(was 2026-10-20 09:30)")
    assert story.next.key == "bid_deadline" and story.next.at == deadline + timedelta(hours=2)
    url = reverse("lot-detail", args=[lot.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The bid deadline was extended from 2026-10-20 09:30 to 2026-10-20 11:30." in english
    assert "市政电网故障，机房断电" in english and "50 min" in english
    assert f'id="extension-{extension.pk}"' in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in chinese and 'data-testid="outage-extensions"' in chinese
    assert "2026-10-20 09:30" in chinese and "2026-10-20 11:30" in chinese and "市政电网故障，机房断电" in chinese
    api = client.get(reverse("api-lot-extensions", args=[lot.pk])).json()
    assert [(row["old_deadline"], row["new_deadline"]) for row in api] == [
        ("2026-10-20T09:30:00+08:00", "2026-10-20T11:30:00+08:00")]

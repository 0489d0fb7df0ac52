"""The live rooms in headless Chromium, on a real server process (services mode: the session's test
PostgreSQL, Redis and S3): staff run an opening while an assigned supervisor watches the same room,
and the supervisor's page shows each step within a second of it; the dashboard shows the session."""
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.models import OpeningSession
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import bids_count_sweep, share_present
from supervisors.services import assignment_revoke
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from tests.servers import platform_servers
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create

LIVE = 1000  # ms: how soon after an action its watcher's page must show it
DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def room_server(django_db_setup, tmp_path_factory):
    with platform_servers(1, tmp_path_factory.mktemp("server")) as (server,):
        yield server.url


def signed_in(browser, url, username, locale, services=None):
    """``services`` (browser_thread's) for people who need a second factor."""
    page = sign_in(browser.new_context(locale=locale).new_page(), url, username, PASSWORD,
                   devices=services and database_devices(services))
    page.wait_for_url(lambda address: "/login/" not in address)
    return page


def in_room(browser, url, page_path, *people):
    """A page per (username, locale), signed in, on ``page_path`` with its live room connected."""
    pages = []
    for username, locale in people:
        page = signed_in(browser, url, username, locale)
        page.goto(url + page_path)
        expect(page.locator("[data-testid=room-state]")).to_have_attribute("data-state", "connected")
        pages.append(page)
    return pages


@pytest.fixture
def closed_lot(make_lot, publish_sealed, bidder_a, bidder_b, make_person):
    """A construction lot past its deadline with three sealed bids, its opening not started."""
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    bidders = [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")]
    for n, bidder in enumerate(bidders):
        registration_create(lot_id=lot.pk, user=bidder)
        envelope = io.BytesIO()
        seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
             lot=str(lot.pk), bidder=bidder.organisation.uscc,
             price_form={"price": f"{900000 + n}.00", "period_days": 300 + n, "items": {}}, files=[], out=envelope)
        bid_submit(lot_id=lot.pk, user=bidder, stream=io.BytesIO(envelope.getvalue()), length=len(envelope.getvalue()))
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        bids_count_sweep()  # as beat runs it after the deadline: the room learns how many bids are in
    lot.refresh_from_db()
    assert lot.status == lot.Status.CLOSED
    return lot


@pytest.fixture
def assigned_supervisor(closed_lot, supervisor, staff):
    from supervisors.services import assignment_create

    supervisor.assignment = assignment_create(lot_id=closed_lot.pk, supervisor_id=supervisor.pk,
                                              actor=f"user:{staff.pk}")
    return supervisor


# What each language shows for a few labels that are translated already (the lot's status, the
# session's) and the page's own heading.
LANGUAGES = {
    "zh-hans": {"locale": "zh-CN", "opening": "开标中", "collecting": "汇集密钥分片中", "published": "开标记录已发布",
                "bidder": "投标人"},
    "en": {"locale": "en-US", "opening": "Opening", "collecting": "Collecting key shares",
           "published": "Record published", "bidder": "Bidder"},
}


@pytest.mark.browser
@DB
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_supervisor_watches_the_opening_live(room_server, closed_lot, custodians, assigned_supervisor, language):
    lot, words = closed_lot, LANGUAGES[language]
    code = lot.code  # read here: the browser's thread may not touch the database
    staff_custodian, _, other_custodian = custodians  # staff who also hold a share; a regulator who does
    opening = f"{room_server}/lots/{lot.pk}/opening/"

    def steps(browser, services):
        staff = signed_in(browser, room_server, staff_custodian.username, words["locale"], services)
        watcher = signed_in(browser, room_server, assigned_supervisor.username, words["locale"])
        dashboard = staff.context.new_page()
        for page, url in ((staff, opening), (watcher, opening), (dashboard, f"{room_server}/supervision/")):
            page.goto(url)
            expect(page.locator("[data-testid=room-state]")).to_have_attribute("data-state", "connected")
        expect(watcher.locator("#room")).to_have_attribute("data-synced", "true")
        status = watcher.locator("#room-status")
        expect(status).to_have_attribute("data-status", "closed")
        expect(watcher.locator("#room-sealed")).to_have_text("3")
        expect(watcher.locator("#room-countdown")).to_have_attribute("data-left", "0")  # closed by the lot's status
        expect(watcher.locator("#room-note")).to_be_visible()  # the assigned supervisor's note
        expect(watcher.locator("html")).to_have_attribute("lang", language)
        expect(watcher.locator("[data-testid=room-bids]")).to_contain_text(words["bidder"])

        with staff.expect_navigation():
            staff.click("[data-testid=start-opening]")
        expect(status).to_have_attribute("data-session", "collecting_shares", timeout=LIVE)
        expect(status).to_contain_text(words["opening"], timeout=LIVE)
        expect(status).to_contain_text(words["collecting"], timeout=LIVE)
        # The log says what changed, in words: the status the lot moved to, not the event's code.
        moved = watcher.locator("#room-log li[data-kind='lot.status_changed']").last
        expect(moved).to_contain_text(words["opening"], timeout=LIVE)
        expect(moved).not_to_contain_text("lot.status_changed")
        expect(dashboard.locator(f"#dash-sessions li[data-lot='{lot.pk}']")).to_contain_text(code, timeout=LIVE)

        staff.fill("#passphrase", CUSTODIAN_PASSPHRASE)
        with staff.expect_navigation():
            staff.click("[data-testid=share-form] button[type=submit]")
        shares = watcher.locator("#room-shares")
        expect(shares).to_have_attribute("data-presented", "1", timeout=LIVE)
        expect(shares).to_have_text("1 / 2", timeout=LIVE)

        session = services(lambda: OpeningSession.objects.get(lot=lot))
        services(lambda: share_present(session_id=session.pk, user=other_custodian, passphrase=CUSTODIAN_PASSPHRASE))
        expect(shares).to_have_text("2 / 2", timeout=LIVE)
        expect(watcher.locator("#room-bids tr")).to_have_count(3, timeout=LIVE)
        expect(watcher.locator("#room-bids")).to_contain_text("900,001.00", timeout=LIVE)
        expect(watcher.locator("#room-record")).to_be_visible(timeout=LIVE)
        expect(status).to_have_attribute("data-session", "record_published", timeout=LIVE)
        expect(status).to_contain_text(words["published"], timeout=LIVE)
        record = services(lambda: OpeningSession.objects.get(pk=session.pk).record)
        expect(watcher.locator("#room-record-signature")).to_have_text(record["signature"], timeout=LIVE)
        expect(watcher.locator("#room-record-link")).to_have_attribute("href", f"/api/v1/lots/{lot.pk}/opening/record/")

        # The log holds every event of the lot, numbered without a gap, in Shanghai time.
        log = watcher.locator("#room-log li")
        seqs = [int(seq) for seq in log.evaluate_all("(items) => items.map(i => i.dataset.seq)")]
        assert seqs == list(range(1, len(seqs) + 1))
        kinds = log.evaluate_all("(items) => items.map(i => i.dataset.kind)")
        assert kinds.count("opening.bid_opened") == 3 and kinds[-1] == "opening.record_published"
        assert kinds.count("opening.share_presented") == 2

        # The supervisor's note is saved through the room and is there again on the next visit.
        watcher.fill("#room-note-text", "开标过程正常。")
        watcher.click("[data-testid=room-note-save]")
        expect(watcher.locator("#room-note-status")).to_have_class("ok")
        watcher.reload()
        expect(watcher.locator("#room-note-text")).to_have_value("开标过程正常。")
        # A page opened now folds the whole history to the same state.
        expect(watcher.locator("#room-bids tr")).to_have_count(3)
        expect(watcher.locator("#room-shares")).to_have_text("2 / 2")

        # Revoking the assignment closes the supervisor's room (4403): the page says access is lost.
        services(lambda: assignment_revoke(assignment_id=assigned_supervisor.assignment.pk, actor="user:1"))
        expect(watcher.locator("[data-testid=room-state]")).to_have_attribute("data-state", "lost", timeout=LIVE)

    browser_thread(steps)


@DB
def test_everyone_gets_the_room_on_the_opening_page_as_what_they_are(client, closed_lot, assigned_supervisor,
                                                                     make_person, regulator, bidder_a):
    """An opening is public: the members watch it as themselves, anyone else as the public."""
    page = reverse("opening-page", args=[closed_lot.pk])
    other = make_person("supervisor_b", ["supervisor"], resident_id="110105194912310054")
    for person, role in ((assigned_supervisor, "observer"), (regulator, "observer"), (bidder_a, "bidder"),
                         (other, "public")):
        client.force_login(person)
        assert _room_role(client.get(page).content.decode()) == role, person.username
    client.logout()
    body = client.get(page).content.decode()
    assert _room_role(body) == "public" and closed_lot.code in body


def _room_role(body: str) -> str:
    """The role the page's room configuration (its json_script) gives its reader."""
    config = body.split('id="room-config" type="application/json">', 1)[1].split("</script>", 1)[0]
    return json.loads(config)["role"]


@DB
def test_the_dashboard_is_for_staff_and_regulators(client, staff, regulator, supervisor, bidder_a, closed_lot):
    from bidding.sealed.services.opening import opening_start

    with time_machine.travel(closed_lot.bid_deadline, tick=False):
        opening_start(lot_id=closed_lot.pk, actor=f"user:{staff.pk}")
    for person, status in ((staff, 200), (regulator, 200), (supervisor, 403), (bidder_a, 403)):
        client.force_login(person)
        response = client.get("/supervision/")
        assert response.status_code == status, person.username
        if status == 200:
            body = response.content.decode()
            assert f'data-lot="{closed_lot.pk}"' in body and closed_lot.code in body
            assert response.context["room"]["after"] >= 1  # the centre's session.started is in

"""The opening hall end to end in headless Chromium, on a real server process (the session's test
PostgreSQL, Redis and S3): a bidder whose version 2 bid carries its own lock checks in by proving its
key in the browser, unlocks its bid there in the decryption window (passphrase → its part released)
while the room shows everyone the progress and a pause, then signs the published record in the
browser; the server keeps a signature that verifies. An anonymous viewer watches the same room in
the other language and sees the bids read out, with no form."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from bidding.crypto import bidder_key as crypto
from bidding.crypto.canonical import b64url_decode
from bidding.crypto.envelope_v2 import bidder_part_unlock
from bidding.sealed.models import (
    BidderKey,
    BidderRelease,
    HallCheckIn,
    HallPause,
    OpeningResponse,
    OpeningSession,
)
from bidding.sealed.services.hall import bid_header, part_release
from bidding.sealed.services.opening import opening_start, record_sha256, share_present
from bidding.sealed.tests.test_hall_pages import PASSPHRASE, sealed_bid
from monitoring.models import AuditEntry
from tests.accessibility import axe_violations
from tests.browsing import browser_thread, database_devices, sign_in
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from tests.servers import platform_servers
from trading import clock
from trading.services.lots import lot_due_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
LIVE = 5000  # ms: the room's pages show a step within this of it
CRYPTO = 60_000  # ms: a passphrase unlocks the key file with 600,000 PBKDF2 rounds, in a busy browser


@pytest.fixture(scope="module")
def hall_server(django_db_setup, tmp_path_factory):
    with platform_servers(1, tmp_path_factory.mktemp("server")) as (server,):
        yield server.url


@pytest.fixture(scope="module")
def key_files():
    """bidder_a's key file (kept on the platform: its browser fetches it) and bidder_b's."""
    return crypto.key_file_create(PASSPHRASE), crypto.key_file_create(PASSPHRASE)


@pytest.fixture
def opening(make_lot, publish_sealed, bidder_a, bidder_b, make_person, key_files, staff):
    """A construction lot announced 30 days ago whose deadline has passed, its opening started by
    staff now (the server's clock is the real one): bidder_a's and bidder_b's bids carry their own
    locks, bidder_c's only the lot's."""
    bidder_c = make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")
    with time_machine.travel(clock.now() - timedelta(days=30)):
        lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
        sealed_bid(lot, bidder_a, "990000.00", bidder_key=key_files[0])
        sealed_bid(lot, bidder_b, "950000.00", bidder_key=key_files[1])
        sealed_bid(lot, bidder_c, "970000.00")
    lot_due_sweep()
    opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
    lot.refresh_from_db()
    return lot


def release_in_python(lot, user, key_file):
    """A bidder releases its part with the platform's own tool instead of the browser."""
    bid, header = bid_header(lot_id=lot.pk, user=user)
    part = bidder_part_unlock(header=header, private_key=crypto.key_file_unlock(key_file, PASSPHRASE)
                              .encryption_private_key, platform=settings.PLATFORM_ID, lot=str(lot.pk),
                              bidder=user.organisation.uscc)
    part_release(lot_id=lot.pk, user=user, part=part)


DOCUMENT = """async ([fields]) => {
  const hall = await import("/static/bidding/hall.js");
  return Array.from(hall.confirmationDocument(fields));
}"""


def test_a_bidder_checks_in_unlocks_and_signs_in_the_browser_while_anyone_watches(
        hall_server, opening, bidder_a, bidder_b, custodians, staff, key_files):
    lot = opening
    uscc_a, uscc_b = bidder_a.organisation.uscc, bidder_b.organisation.uscc
    address = f"{hall_server}/lots/{lot.pk}/opening/"
    session = OpeningSession.objects.get(lot=lot)
    seen, errors = {}, []

    def watched(page):
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    def steps(browser, services):
        viewer = watched(browser.new_context(locale="en-US").new_page())
        viewer.goto(address)
        expect(viewer.locator("[data-testid=room-state]")).to_have_attribute("data-state", "connected")
        expect(viewer.locator("#hall-step")).to_have_attribute("data-step", "custodians")
        expect(viewer.locator("#hall-present")).to_contain_text("Nobody has checked in")
        bidder = sign_in(watched(browser.new_context(locale="zh-CN").new_page()), hall_server, "bidder_a", PASSWORD)
        bidder.goto(address)
        expect(bidder.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(bidder.locator("#room")).to_have_attribute("data-synced", "true")
        expect(bidder.locator("#hall-steps li[data-step=custodians]")).to_have_attribute("aria-current", "step")
        expect(bidder.locator("#hall-steps li[data-step=started]")).to_have_attribute("data-state", "done")

        # Check-in with the key proof: a wrong passphrase is refused (and recorded), the right one proves it.
        check_in = bidder.locator("#hall-check-in-form")
        not_yet = bidder.locator("#hall-me").text_content()
        expect(check_in).to_be_visible()
        expect(check_in).to_have_attribute("data-ready", "true")
        bidder.fill("#hall-check-in-passphrase", PASSPHRASE + "!")
        bidder.click("[data-testid=hall-check-in]")
        expect(bidder.locator("#hall-check-in-status")).to_have_text("该口令无法解锁此密钥文件。", timeout=CRYPTO)
        expect(bidder.locator("#hall-check-in-status")).to_have_class("error")
        bidder.fill("#hall-check-in-passphrase", PASSPHRASE)
        bidder.click("[data-testid=hall-check-in]")
        expect(check_in).to_be_hidden(timeout=CRYPTO)
        expect(bidder.locator("#hall-me")).not_to_have_text(not_yet)
        present = viewer.locator(f"#hall-present li[data-bidder='{uscc_a}']")
        expect(present).to_contain_text(bidder_a.organisation.name, timeout=LIVE)
        expect(present).to_contain_text("key proved")

        # A question in the hall, answered by the host from the host's own page.
        bidder.fill("#hall-question-text", "开标是否会推迟？")
        bidder.click("[data-testid=hall-ask]")
        question = viewer.locator(f"#hall-questions li[data-bidder='{uscc_a}']")
        expect(question).to_contain_text("开标是否会推迟？", timeout=LIVE)
        host = sign_in(watched(browser.new_context(locale="en-US").new_page()), hall_server, staff.username,
                       PASSWORD, devices=database_devices(services))
        host.goto(address)
        expect(host.locator("#room")).to_have_attribute("data-synced", "true")
        host.fill("#hall-questions input[type=text]", "不会，按时开标。")
        host.click("#hall-questions button[type=submit]")
        expect(question).to_contain_text("不会，按时开标。", timeout=LIVE)
        expect(bidder.locator("#hall-questions li[data-answered=true]")).to_have_count(1, timeout=LIVE)
        expect(host.locator("#hall-questions form")).to_have_count(0)
        assert bidder.locator("#hall-questions form").count() == 0  # only the host answers

        # The custodians rebuild the lot's key: the decryption window opens for the two own locks.
        for custodian in custodians[:2]:
            services(lambda c=custodian: share_present(session_id=session.pk, user=c, passphrase=CUSTODIAN_PASSPHRASE))
        for page in (viewer, bidder):
            expect(page.locator("#hall-step")).to_have_attribute("data-step", "decryption_window", timeout=LIVE)
            expect(page.locator("#hall-progress")).to_have_attribute("data-locked", "2")
        expect(viewer.locator("#hall-progress")).to_have_text("0 of 2 decrypted")
        services(lambda: release_in_python(lot, bidder_b, key_files[1]))
        expect(viewer.locator("#hall-progress")).to_have_attribute("data-released", "1", timeout=LIVE)
        expect(bidder.locator("#hall-progress")).to_have_attribute("data-released", "1", timeout=LIVE)

        # The host pauses: the window's time stands still and the reason is shown; the unlock waits.
        expect(host.locator("#hall-resume-form")).to_be_hidden()
        host.fill("#hall-pause-reason", "网络故障，暂停开标")
        host.click("[data-testid=hall-pause]")
        expect(host.locator("#hall-resume-form")).to_be_visible(timeout=LIVE)
        for page in (viewer, bidder):
            expect(page.locator("#hall-paused")).to_contain_text("网络故障，暂停开标", timeout=LIVE)
            expect(page.locator("#hall-window")).to_have_attribute("data-paused", "true")
        left = services(lambda: int(HallPause.objects.get(session=session).window_left.total_seconds()))
        bidder.wait_for_timeout(1500)  # a countdown that ran would be a second or more below by now
        expect(bidder.locator("#hall-window")).to_have_attribute("data-left", str(left))
        expect(bidder.locator("[data-testid=hall-unlock]")).to_be_disabled()
        host.click("[data-testid=hall-resume]")
        expect(bidder.locator("#hall-paused")).to_be_hidden(timeout=LIVE)
        expect(bidder.locator("#hall-window")).to_have_attribute("data-paused", "false")

        # bidder_a unlocks its own bid in the browser: the last part is in, so the bids are read out.
        expect(bidder.locator("[data-testid=hall-unlock]")).to_be_enabled()
        bidder.fill("#hall-unlock-passphrase", PASSPHRASE)
        bidder.click("[data-testid=hall-unlock]")
        expect(bidder.locator("#hall-unlock-status")).to_have_class("ok", timeout=CRYPTO)
        expect(viewer.locator("#hall-progress")).to_have_text("2 of 2 decrypted", timeout=LIVE)
        expect(viewer.locator("#room-bids tr")).to_have_count(3, timeout=LIVE)
        expect(viewer.locator("#room-bids")).to_contain_text("CNY 990,000.00")
        expect(viewer.locator(f"#hall-present li[data-bidder='{uscc_a}']")).to_have_attribute("data-decrypted", "true")
        expect(viewer.locator("#hall-step")).to_have_attribute("data-step", "confirmations", timeout=LIVE)
        expect(viewer.locator("#hall-steps li[data-step=price_reading]")).to_have_attribute("data-state", "done")
        # The viewer watches read-only: no form of the hall reaches its page.
        assert viewer.locator("#hall-bidder, #hall-host").count() == 0
        assert viewer.locator("main form").count() == 0

        # The record is signed in the browser with the bidder key.
        digest = services(lambda: record_sha256(OpeningSession.objects.get(pk=session.pk)))
        fields = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": uscc_a, "record_sha256": digest}
        seen["document"] = bytes(bidder.evaluate(DOCUMENT, [fields]))
        confirm = bidder.locator("#hall-confirm-form")
        expect(confirm).to_be_visible(timeout=LIVE)
        seen["axe"] = axe_violations(bidder) + axe_violations(viewer)
        bidder.fill("#hall-confirm-passphrase", PASSPHRASE)
        bidder.click("[data-testid=hall-confirm]")
        expect(bidder.locator("#hall-confirm-status")).to_have_class("ok", timeout=CRYPTO)
        expect(confirm).to_be_hidden(timeout=LIVE)
        signed = viewer.locator(f"#room-responses li[data-kind=confirmed][data-bidder='{uscc_a}']")
        expect(signed).to_have_attribute("data-signed", "true", timeout=LIVE)
        # A page opened now folds the whole history to the same hall.
        late = browser.new_context(locale="en-US").new_page()
        late.goto(address)
        expect(late.locator("#room")).to_have_attribute("data-synced", "true")
        expect(late.locator("#hall-progress")).to_have_text("2 of 2 decrypted")
        expect(late.locator("#hall-step")).to_have_attribute("data-step", "confirmations")
        expect(late.locator(f"#hall-present li[data-bidder='{uscc_a}']")).to_be_visible()
        assert late.locator("#hall-steps li[data-state=done]").count() == 6

    browser_thread(steps)
    assert seen["axe"] == [] and errors == []
    key = BidderKey.objects.get(registration__lot=lot, registration__organisation=bidder_a.organisation)
    assert HallCheckIn.objects.get(lot=lot, registration=key.registration).key_fingerprint == key.fingerprint
    assert [e.data["code"] for e in AuditEntry.objects.filter(kind="bidder_key.proof_failed")] == ["wrong_passphrase"]
    assert BidderRelease.objects.filter(session__lot=lot, released_by=bidder_a).count() == 1
    session = OpeningSession.objects.get(lot=lot)
    document = crypto.confirmation_document(platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=uscc_a,
                                            record_sha256=record_sha256(session))
    assert seen["document"] == document  # the browser's canonical JSON is Python's, byte for byte
    confirmation = OpeningResponse.objects.get(session=session, organisation=bidder_a.organisation,
                                               kind=OpeningResponse.Kind.CONFIRM)
    assert bytes(confirmation.signing_key) == bytes(key.signing_public_key)
    assert crypto.signature_verify(signing_public_raw=bytes(key.signing_public_key), message=document,
                                   signature=b64url_decode(confirmation.signature))
    opened = {entry["bidder"]: entry for entry in session.record["document"]["body"]["bids"]}
    assert opened[uscc_a]["price"] == "990000.00" and opened[uscc_b]["status"] == "opened"

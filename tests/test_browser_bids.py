"""A bid sealed in headless Chromium on the bid page and a bid sealed by `bidding.seal`'s Python
code are stored side by side; 2 of the 3 custodians' shares rebuild the lot's key and open both,
one custodian's share alone cannot."""
import io
import os
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from bidding.crypto import custodian as custodian_crypto
from bidding.crypto import shamir
from bidding.crypto.envelope import open_envelope, seal
from bidding.crypto.opening_key import private_key_rebuild, public_key_load
from bidding.models import Bid, KeyShare
from bidding.services.bids import bid_submit
from tests.fixtures import CHROMIUM_ARGS, CUSTODIAN_PASSPHRASE, PASSWORD
from trading.services.registrations import registration_create
from trading.storage import get_storage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_browser_thread(steps):
    """Run ``steps(browser)`` in a thread of its own: Playwright's sync API keeps an event loop
    running in its thread, where Django refuses synchronous database work."""
    failure = []

    def run():
        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                try:
                    steps(chromium)
                finally:
                    chromium.close()
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    if failure:
        raise failure[0]


def _key_from(lot, custodians):
    return private_key_rebuild(shamir.combine(_shares(lot, custodians)),
                               expected_public_raw=bytes(lot.opening_key.public_key_raw))


def _shares(lot, custodians):
    shares = []
    for person in custodians:
        share = KeyShare.objects.get(opening_key__lot=lot, custodian=person)
        private = custodian_crypto.custodian_key_unwrap(bytes(person.custodian_key.wrapped_private_key),
                                                        CUSTODIAN_PASSPHRASE)
        shares.append(custodian_crypto.share_open(sealed=bytes(share.sealed_share), custodian_private_key=private,
                                                  platform=settings.PLATFORM_ID, lot=str(lot.pk),
                                                  custodian=str(person.pk)))
    return shares


def test_browser_and_python_sealed_bids_open_with_two_of_three_custodians(
        live_server, make_lot, publish_sealed, custodians, bidder_a, bidder_b, tmp_path):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=bidder_a)
    registration_create(lot_id=lot.pk, user=bidder_b)

    proposal = tmp_path / "技术标.pdf"
    proposal.write_bytes(os.urandom(300_000))

    def seal_in_the_browser(browser):
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "bidder_a")
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit]:not([name])")
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        page.fill("#price", "8888888.88")
        page.fill("#period_days", "365")
        page.fill("#item-quality", "合格")
        page.set_input_files("#files", str(proposal))
        page.click("[data-testid=seal-submit]")
        page.wait_for_selector("tr[data-status=sealed]", timeout=60_000)

    in_browser_thread(seal_in_the_browser)

    python_sealed = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=bidder_b.organisation.uscc,
         price_form={"price": "7777777.77", "period_days": 300, "items": {}}, files=[], out=python_sealed)
    bid_submit(lot_id=lot.pk, user=bidder_b, stream=io.BytesIO(python_sealed.getvalue()),
               length=len(python_sealed.getvalue()))

    bids = {bid.organisation_id: bid for bid in Bid.objects.filter(lot=lot, status=Bid.Status.SEALED)}
    assert set(bids) == {bidder_a.organisation_id, bidder_b.organisation_id}

    with pytest.raises(ValueError):
        _key_from(lot, custodians[:1])  # one custodian alone
    with pytest.raises(ValueError, match="does not match"):
        # One real share and a guessed one: some key comes out, never the lot's.
        real = _shares(lot, custodians[:1])[0]
        private_key_rebuild(shamir.combine([real, (9, os.urandom(32))]),
                            expected_public_raw=bytes(lot.opening_key.public_key_raw))
    private_key = _key_from(lot, [custodians[0], custodians[2]])
    opened = {}
    for organisation_id, bid in bids.items():
        with get_storage().get(bid.storage_key) as reader:
            stream = io.BytesIO(b"".join(reader))
        opened[organisation_id] = open_envelope(stream=stream, private_key=private_key, platform=settings.PLATFORM_ID,
                                                lot=str(lot.pk), bidder=bid.organisation.uscc,
                                                envelope_sha256=bid.envelope_sha256)
    browser_bid = opened[bidder_a.organisation_id]
    assert browser_bid.price_form == {"price": "8888888.88", "period_days": 365, "items": {"quality": "合格", "project_manager": ""}}
    assert [(f.name, f.size) for f in browser_bid.files] == [("技术标.pdf", 300_000)]
    assert opened[bidder_b.organisation_id].price_form["price"] == "7777777.77"

"""Issue 4's done-when: a bid sealed in headless Chromium on the bid page and bids sealed by the
Python sealer are stored side by side; the opening opens them all with 2 of the 3 custodians'
shares; one custodian alone cannot."""
import io
import os
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from bidding.crypto import custodian as custodian_crypto
from bidding.crypto import shamir
from bidding.crypto.opening_key import private_key_rebuild, public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.models import Bid, KeyShare, OpeningSession
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start, share_present
from tests.browsing import browser_thread
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create

PRICES = {"bidder_b": "7777777.77", "bidder_c": "6666666.66"}
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
        live_server, make_lot, publish_sealed, custodians, bidder_a, bidder_b, make_person, tmp_path):
    lot = publish_sealed(make_lot("construction", estimate="10000000.00", deposit=Decimal("0")))
    third = make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")
    for bidder in (bidder_a, bidder_b, third):
        registration_create(lot_id=lot.pk, user=bidder)

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

    browser_thread(lambda browser, services: seal_in_the_browser(browser))

    for bidder in (bidder_b, third):
        python_sealed = io.BytesIO()
        seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
             lot=str(lot.pk), bidder=bidder.organisation.uscc,
             price_form={"price": PRICES[bidder.username], "period_days": 300, "items": {}}, files=[],
             out=python_sealed)
        bid_submit(lot_id=lot.pk, user=bidder, stream=io.BytesIO(python_sealed.getvalue()),
                   length=len(python_sealed.getvalue()))

    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        session = opening_start(lot_id=lot.pk, actor="user:1")
        share_present(session_id=session.pk, user=custodians[0], passphrase=CUSTODIAN_PASSPHRASE)
        session.refresh_from_db()
        # One custodian alone opens nothing, and one real share with a guessed one rebuilds another key.
        assert session.status == OpeningSession.Status.COLLECTING_SHARES
        assert not Bid.objects.filter(lot=lot, status=Bid.Status.OPENED).exists()
        real = _shares(lot, custodians[:1])[0]
        with pytest.raises(ValueError, match="does not match"):
            private_key_rebuild(shamir.combine([real, (9, os.urandom(32))]),
                                expected_public_raw=bytes(lot.opening_key.public_key_raw))
        share_present(session_id=session.pk, user=custodians[2], passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    assert session.status == OpeningSession.Status.RECORD_PUBLISHED
    record = {entry["bidder"]: entry for entry in session.record["document"]["body"]["bids"]}
    browser_bid = record[bidder_a.organisation.uscc]
    assert (browser_bid["price"], browser_bid["period_days"], browser_bid["items"]) == (
        "8888888.88", 365, {"quality": "合格", "project_manager": ""})
    assert [(f["name"], f["size"]) for f in browser_bid["files"]] == [("技术标.pdf", 300_000)]
    assert record[bidder_b.organisation.uscc]["price"] == PRICES["bidder_b"]
    assert record[third.organisation.uscc]["price"] == PRICES["bidder_c"]

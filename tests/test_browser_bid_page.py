"""The bid page in headless Chromium (issue 15, "Pages that answer wrongly"): the deposit is asked
for before the form, a price over the ceiling is warned about in the browser before anything is
sealed or sent, the bidder's current bid and its receipt stay on the page across reloads, and the
printable receipt (投标回执) opens for the bidder's organisation only."""
import base64
import hashlib
import io
import json
import struct
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.models import Bid
from bidding.sealed.services.bids import bid_submit
from tests.browsing import browser_thread
from tests.fixtures import PASSWORD
from trading.models import Registration
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ENVELOPE_HEADER_KEYS = {"v", "platform", "lot", "bidder", "suite", "segment_size", "enc", "sealed"}


def _signed_in(browser, url, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:not([name])")
    return page


def _before(page, first, second) -> bool:
    """Whether the element ``first`` comes before ``second`` in the document."""
    return page.evaluate("([a, b]) => Boolean(document.querySelector(a).compareDocumentPosition("
                         "document.querySelector(b)) & Node.DOCUMENT_POSITION_FOLLOWING)", [first, second])


# Hands each Blob the page gives fetch() as a request's body to the test (base64) before it is sent:
# Chromium does not show a Blob body to Playwright's request events.
RECORD_FETCH_BODIES = """
const originalFetch = window.fetch;
window.fetch = async (input, init = {}) => {
  if (init.body instanceof Blob) {
    const bytes = new Uint8Array(await init.body.arrayBuffer());
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    await window.recordFetchBody(btoa(text));
  }
  return originalFetch(input, init);
};
"""


def _python_sealed_bid(lot, bidder, price="900000.00"):
    sealed = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=bidder.organisation.uscc,
         price_form={"price": price, "period_days": 300, "items": {}}, files=[], out=sealed)
    return bid_submit(lot_id=lot.pk, user=bidder, stream=io.BytesIO(sealed.getvalue()),
                      length=len(sealed.getvalue()))


def test_the_deposit_is_asked_for_before_the_form(live_server, make_lot, publish_sealed, bidder_a, bidder_b):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("10000.00")))
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    code, uscc = lot.code, bidder_a.organisation.uscc

    def steps(browser, services):
        page = _signed_in(browser, live_server.url, "bidder_a")
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        notice = page.locator("[data-testid=deposit-notice]")
        assert notice.get_attribute("data-status") == "missing"
        assert notice.is_visible() and _before(page, "[data-testid=deposit-notice]", "#bid-form")
        text = notice.inner_text()
        assert code in text and "10,000.00" in text and "人民币壹万元整" in text and uscc in text

        services(lambda: deposit_confirm(registration_id=registration.pk, amount=Decimal("10000.00"),
                                         reference="ICBC-TEST-1", actor="user:1"))
        page.reload()
        assert page.locator("[data-testid=deposit-notice]").get_attribute("data-status") == "received"
        assert "ICBC-TEST-1" in page.locator("[data-testid=deposit-notice]").inner_text()

        # An organisation that has not registered is told to register first: the bank credits a
        # deposit only to a registered bidder.
        other = _signed_in(browser, live_server.url, "bidder_b")
        other.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        assert other.locator("[data-testid=registration-notice]").get_attribute("data-status") == "none"
        assert _before(other, "[data-testid=registration-notice]", "#bid-form")

    browser_thread(steps)


def test_an_over_ceiling_price_is_sealed_only_once_the_warning_is_acknowledged(
        live_server, make_lot, publish_sealed, bidder_a):
    lot = publish_sealed(make_lot("construction", estimate="1000000.00", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=bidder_a)
    submit_url = reverse("api-bid-submit", args=[lot.pk])
    over = "1000000.01"

    def steps(browser, services):
        page = _signed_in(browser, live_server.url, "bidder_a")
        page.expose_function("recordFetchBody", lambda body: sent.append(base64.b64decode(body)))
        page.add_init_script(RECORD_FETCH_BODIES)
        posted = []
        page.on("request", lambda request: posted.append(request.url)
                if request.method == "POST" and request.url.endswith(submit_url) else None)
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        assert "1,000,000.00" in page.locator("[data-testid=ceiling]").inner_text()
        page.fill("#price", over)
        page.fill("#period_days", "200")
        page.click("[data-testid=seal-submit]")
        page.wait_for_selector("[data-testid=ceiling-warning]:visible, tr[data-status=sealed]")
        assert page.locator("[data-testid=ceiling-warning]").is_visible()
        page.wait_for_timeout(1000)
        assert posted == [] and sent == [] and services(lambda: Bid.objects.filter(lot=lot).count()) == 0

        # Changing the price withdraws the warning; an over-ceiling price asks again.
        page.fill("#price", "1000000.02")
        assert not page.locator("[data-testid=ceiling-warning]").is_visible()
        page.click("[data-testid=seal-submit]")
        page.wait_for_selector("[data-testid=ceiling-warning]:visible")
        page.fill("#price", over)
        page.click("[data-testid=seal-submit]")
        page.click("[data-testid=ceiling-confirm]")
        page.wait_for_selector("tr[data-status=sealed]", timeout=60_000)
        assert len(posted) == 1

    sent = []
    browser_thread(steps)
    assert len(sent) == 1
    body = sent[0]
    (header_len,) = struct.unpack(">I", body[4:8])
    assert body[:4] == b"PBE1" and set(json.loads(body[8:8 + header_len])) == ENVELOPE_HEADER_KEYS
    assert over.encode() not in body
    # The body is the envelope the platform stored and signed for.
    bid = Bid.objects.get(lot=lot)
    assert bid.status == Bid.Status.SEALED and hashlib.sha256(body).hexdigest() == bid.envelope_sha256


def test_a_price_at_the_ceiling_seals_without_a_warning(live_server, make_lot, publish_sealed, bidder_a):
    lot = publish_sealed(make_lot("construction", estimate="1000000.00", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=bidder_a)

    def steps(browser, services):
        page = _signed_in(browser, live_server.url, "bidder_a")
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        page.fill("#price", "1000000")
        page.fill("#period_days", "200")
        page.click("[data-testid=seal-submit]")
        page.wait_for_selector("tr[data-status=sealed]", timeout=60_000)
        assert not page.locator("[data-testid=ceiling-warning]").is_visible()

    browser_thread(steps)
    assert Bid.objects.filter(lot=lot, status=Bid.Status.SEALED).count() == 1


def test_the_current_bid_and_its_receipt_stay_on_the_page_after_a_reload(
        live_server, make_lot, publish_sealed, bidder_a):
    lot = publish_sealed(make_lot("construction", estimate="1000000.00", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=bidder_a)

    def steps(browser, services):
        page = _signed_in(browser, live_server.url, "bidder_a")
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        page.fill("#price", "950000.50")
        page.fill("#period_days", "200")
        page.click("[data-testid=seal-submit]")
        page.wait_for_selector("[data-testid=current-bid]", timeout=60_000)
        page.reload()
        bid = services(lambda: Bid.objects.get(lot=lot, status=Bid.Status.SEALED))
        current = page.locator("[data-testid=current-bid]")
        assert current.is_visible() and current.get_attribute("data-bid") == str(bid.pk)
        text = current.inner_text()
        assert bid.envelope_sha256 in text and str(bid.receipt_id) in text
        assert current.locator("[data-testid=receipt-signature]").get_attribute("data-valid") == "true"
        assert current.locator(f"a[href='{reverse('api-bid-receipt', args=[bid.pk])}']").count() == 1
        assert current.locator(f"a[href='{reverse('bid-receipt', args=[lot.pk, bid.pk])}']").count() == 1

    browser_thread(steps)


def test_the_printable_receipt_opens_for_the_bidder_and_is_refused_to_another(
        live_server, make_lot, publish_sealed, bidder_a, bidder_b):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    for bidder in (bidder_a, bidder_b):
        registration_create(lot_id=lot.pk, user=bidder)
    bid = _python_sealed_bid(lot, bidder_a)
    assert Registration.objects.filter(lot=lot).count() == 2
    shown = (lot.code, bidder_a.organisation.name, bidder_a.organisation.uscc, bid.envelope_sha256,
             str(bid.receipt_id), bid.receipt["signature"], bid.receipt["receipt"]["received_at"],
             "python -m bidding.verify receipt")

    def steps(browser, services):
        page = _signed_in(browser, live_server.url, "bidder_a")
        page.goto(f"{live_server.url}/lots/{lot.pk}/bid/")
        page.click("[data-testid=current-bid] [data-testid=receipt-print]")
        page.wait_for_selector("[data-testid=bid-receipt]")
        assert page.url == live_server.url + reverse("bid-receipt", args=[lot.pk, bid.pk])
        receipt = page.locator("[data-testid=bid-receipt]").inner_text()
        assert all(text in receipt for text in shown), [text for text in shown if text not in receipt]
        assert page.locator("[data-testid=receipt-signature]").get_attribute("data-valid") == "true"
        # Printed, the page is the receipt alone: no site header or buttons.
        page.emulate_media(media="print")
        assert not page.locator("header.top").is_visible()
        assert page.locator("[data-testid=bid-receipt]").is_visible()

        other = _signed_in(browser, live_server.url, "bidder_b")
        response = other.goto(live_server.url + reverse("bid-receipt", args=[lot.pk, bid.pk]))
        assert response.status == 403 and not other.locator("[data-testid=bid-receipt]").count()
        assert bid.envelope_sha256 not in other.content()
        refusal = other.locator("[data-testid=error-reason]").inner_text()
        # The same answer as for a receipt that does not exist, so nothing tells who has bid.
        missing = other.goto(live_server.url + reverse("bid-receipt", args=[lot.pk, bid.pk + 1000]))
        assert missing.status == 403 and other.locator("[data-testid=error-reason]").inner_text() == refusal

    browser_thread(steps)

"""A bidder makes its key in the browser (WebCrypto, bidding/static/bidding/bidder-key.js), registers it
and proves it, in headless Chromium against a real server; a wrong passphrase is recorded. The same
module then unlocks the bidder part of a committed v2 test vector, as the Python code does, and the
browser's sealer (seal.js) makes a v2 envelope that the platform's code opens with both keys."""
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bidding.crypto import bidder_key as crypto, envelope_v2 as v2
from bidding.crypto.canonical import b64url_decode
from bidding.crypto.envelope import EnvelopeError
from bidding.sealed.models import BidderKey
from monitoring.models import AuditEntry
from tests.browsing import browser_thread
from tests.fixtures import PASSWORD
from trading.services.registrations import registration_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSPHRASE = "一个足够长的投标密码 2026"
VECTOR = Path(__file__).resolve().parents[2] / "crypto" / "tests" / "vectors" / "envelope2_small_one_file.json"

UNLOCK_VECTOR = """async ([vector]) => {
  const keys = await import("/static/bidding/bidder-key.js");
  const { base64urlEncode } = await import("/static/bidding/seal.js");
  const hex = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));
  const point = hex(vector.bidder_public_key);
  const jwk = { kty: "EC", crv: "P-256", d: base64urlEncode(hex(vector.bidder_private_key)),
                x: base64urlEncode(point.subarray(1, 33)), y: base64urlEncode(point.subarray(33)) };
  const algorithm = { name: "ECDH", namedCurve: "P-256" };
  const unlocked = {
    encryption: { privateKey: await crypto.subtle.importKey("jwk", jwk, algorithm, true, ["deriveBits"]),
                  publicKey: await crypto.subtle.importKey("raw", point, algorithm, true, []) },
    fields: { encryption_key: base64urlEncode(point) },
  };
  return keys.unlockBidderPart(unlocked, JSON.parse(vector.header));
}"""

# The browser's sealer (seal.js) makes a v2 envelope to the vector's two keys.
SEAL_V2 = """async ([vector]) => {
  const sealer = await import("/static/bidding/seal.js");
  const hex = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));
  const envelope = await sealer.sealBid({
    publicKeyRaw: hex(vector.lot_public_key), bidderKeyRaw: hex(vector.bidder_public_key),
    platform: vector.platform, lot: vector.lot, bidder: vector.bidder, priceForm: vector.price_form,
    files: [{ name: "两个文件之一.pdf", blob: new Blob(["%PDF-1.7 browser v2 ".repeat(5000)]) }], segmentSize: 4096,
  });
  return sealer.base64urlEncode(new Uint8Array(await envelope.arrayBuffer()));
}"""


def test_a_bidder_makes_registers_and_proves_its_key_in_the_browser(live_server, make_lot, publish_sealed, bidder_a):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    vector = json.loads(VECTOR.read_text(encoding="utf-8"))
    seen = {}

    def steps(browser, services):
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(live_server.url + "/login/")
        page.fill("#id_username", "bidder_a")
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit]:not([name])")
        page.goto(f"{live_server.url}/lots/{lot.pk}/registration/")
        assert page.locator("[data-testid=bidder-key-notice]").get_attribute("data-state") == "none"
        page.click("[data-testid=bidder-key-link]")
        page.wait_for_selector("#make-form[data-ready]")
        page.fill("#make-passphrase", PASSPHRASE)
        page.fill("#make-passphrase-again", PASSPHRASE)
        page.click("[data-testid=make-submit]")
        page.wait_for_selector("[data-testid=bidder-key-notice][data-state=unproved]", timeout=60_000)
        seen["fingerprint"] = page.locator("[data-testid=bidder-key]").get_attribute("data-fingerprint")
        page.wait_for_selector("#prove-form[data-ready]")

        page.fill("#prove-passphrase", PASSPHRASE + "!")
        page.click("[data-testid=prove-submit]")
        page.wait_for_selector("[data-testid=prove-status].error", timeout=60_000)
        page.fill("#prove-passphrase", PASSPHRASE)
        page.click("[data-testid=prove-submit]")
        page.wait_for_selector("[data-testid=bidder-key-notice][data-state=proved]", timeout=60_000)
        seen["part"] = page.evaluate(UNLOCK_VECTOR, [vector])
        seen["envelope"] = b64url_decode(page.evaluate(SEAL_V2, [vector]))

    browser_thread(steps)
    key = BidderKey.objects.get(registration=registration)
    assert key.fingerprint == seen["fingerprint"] and key.proved and key.last_proved_at is not None
    # The file the browser made unlocks in Python with the same passphrase, to the registered keys.
    unlocked = crypto.key_file_unlock(crypto.key_file_parse(key.key_file), PASSPHRASE)
    assert crypto.public_raw(unlocked.encryption_private_key.public_key()) == bytes(key.encryption_public_key)
    assert crypto.public_raw(unlocked.signing_private_key.public_key()) == bytes(key.signing_public_key)
    assert [e.data["code"] for e in AuditEntry.objects.filter(kind="bidder_key.proof_failed")] == ["wrong_passphrase"]
    assert AuditEntry.objects.filter(kind="bidder_key.proved").count() == 1
    assert b64url_decode(seen["part"]).hex() == vector["bidder_part"]
    # The browser's v2 envelope opens with the platform's code, and only with both keys.
    names = {name: vector[name] for name in ("platform", "lot", "bidder")}
    lot_key, bidder_key = (ec.derive_private_key(int(vector[name], 16), ec.SECP256R1())
                           for name in ("lot_private_key", "bidder_private_key"))
    envelope = seen["envelope"]
    header = v2.form_check_v2(stream=io.BytesIO(envelope), bidder_key=v2.key_fingerprint(bidder_key.public_key()),
                              max_size=None, **names)
    part = v2.bidder_part_unlock(header=header, private_key=bidder_key, **names)
    opened = v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=lot_key, bidder_part=part, **names)
    assert opened.price_form == vector["price_form"] and [f.name for f in opened.files] == ["两个文件之一.pdf"]
    assert opened.files[0].size == len("%PDF-1.7 browser v2 ") * 5000
    with pytest.raises(EnvelopeError):
        v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=bidder_key, bidder_part=part, **names)

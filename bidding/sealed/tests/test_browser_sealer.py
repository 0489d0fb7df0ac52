"""The browser sealer (bidding/static/bidding/seal.js) in headless Chromium: its envelopes have the
form of docs/envelope.md and open with nothing but `cryptography`, following the spec.

The static folder is served by a plain threaded HTTP server on 127.0.0.1 (a secure context, so
WebCrypto exists); Django's static files serve it in the site itself.
"""
import base64
import functools
import hashlib
import http.server
import json
import os
import re
import struct
import threading
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static" / "bidding"
RFC9180_VECTOR = Path(__file__).resolve().parents[2] / "crypto" / "tests" / "vectors" / "rfc9180_base_p256_sha256_aes256gcm.json"
PLATFORM = "cn-demo-ggzy"
BIDDER = "91330100MA0000001X"
PRICE_FORM = {"price": "1234567.89", "period_days": 180,
              "items": {"质量": "合格", "项目经理": "张三（一级建造师）", "quality": "pass"}}
HEADER_KEYS = {"v", "platform", "lot", "bidder", "suite", "segment_size", "enc", "sealed"}
SUITE = hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


# ---------------------------------------------------------------------------------------------
# A reference opener written from docs/envelope.md alone, independent of bidding.crypto.
# ---------------------------------------------------------------------------------------------
class Refused(Exception):
    """The envelope's form is not that of envelope v1."""


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise Refused("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def info_for(platform: str, lot: str, bidder: str) -> bytes:
    return f"platform-bid-envelope|v1|{platform}|{lot}|{bidder}".encode()


def _is_int(value) -> bool:
    return type(value) is int  # not bool


def check_form(envelope: bytes, *, platform: str, lot: str, bidder: str) -> tuple[bytes, dict]:
    """What the platform checks at submission. Returns the header's exact bytes and its object."""
    if envelope[:4] != b"PBE1":
        raise Refused("magic")
    if len(envelope) < 8:
        raise Refused("too short")
    (header_len,) = struct.unpack(">I", envelope[4:8])
    if not 1 <= header_len <= 65536 or len(envelope) < 8 + header_len:
        raise Refused("header_len")
    header_bytes = envelope[8:8 + header_len]
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError is one
        raise Refused("header is not UTF-8 JSON") from error
    if not isinstance(header, dict) or set(header) != HEADER_KEYS or canonical(header) != header_bytes:
        raise Refused("header is not canonical JSON with exactly the v1 keys")
    if not (_is_int(header["v"]) and header["v"] == 1 and header["suite"] == "P256-SHA256-AES256GCM"):
        raise Refused("version or suite")
    if (header["platform"], header["lot"], header["bidder"]) != (platform, lot, bidder):
        raise Refused("the header names another platform, lot or bidder")
    size = header["segment_size"]
    if not (_is_int(size) and 4096 <= size <= 4194304 and size & (size - 1) == 0):
        raise Refused("segment_size")
    enc, sealed = b64url_decode(header["enc"]), b64url_decode(header["sealed"])
    if len(enc) != 65 or enc[0] != 0x04 or not 16 <= len(sealed) <= 65536:
        raise Refused("enc or sealed")
    area = len(envelope) - 8 - header_len
    rest = area % (size + 16) or size + 16  # n·(size + 16) + r, 16 ≤ r ≤ size + 16
    if area < 16 or rest < 16:
        raise Refused("segment area length")
    return header_bytes, header


def open_reference(envelope: bytes, private_key, *, platform: str, lot: str, bidder: str):
    """Opens an envelope as the opening does. Returns (header, inner, [file bytes], segment count)."""
    header_bytes, header = check_form(envelope, platform=platform, lot=lot, bidder=bidder)
    enc, sealed = b64url_decode(header["enc"]), b64url_decode(header["sealed"])
    inner_bytes = SUITE.decrypt(enc + sealed, private_key, info=info_for(platform, lot, bidder))
    inner = json.loads(inner_bytes.decode("utf-8"))
    if set(inner) != {"key", "price_form", "files"} or canonical(inner) != inner_bytes:
        raise Refused("inner is not canonical JSON with exactly the v1 keys")
    key = b64url_decode(inner["key"])
    if len(key) != 32:
        raise Refused("content key length")
    form = inner["price_form"]
    if (set(form) != {"price", "period_days", "items"} or not re.fullmatch(r"\d+(\.\d{1,2})?", form["price"])
            or not _is_int(form["period_days"])
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in form["items"].items())):
        raise Refused("price_form")
    for entry in inner["files"]:
        if (set(entry) != {"name", "size", "sha256"} or not isinstance(entry["name"], str)
                or not _is_int(entry["size"]) or not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])):
            raise Refused("files")

    aesgcm = AESGCM(key)
    aad = b"PBE1" + hashlib.sha256(header_bytes).digest()
    step = header["segment_size"] + 16
    area = memoryview(envelope)[8 + len(header_bytes):]
    stream = bytearray()
    i = at = 0
    while True:
        last = len(area) - at <= step  # what is left decides: the last segment is 16..step bytes
        nonce = bytes(7) + struct.pack(">I", i) + (b"\x01" if last else b"\x00")
        stream += aesgcm.decrypt(nonce, bytes(area[at:at + step]), aad)
        at += step
        i += 1
        if last:
            break

    files, offset = [], 0
    for entry in inner["files"]:
        data = bytes(stream[offset:offset + entry["size"]])
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise Refused(f"file {entry['name']!r}: size or SHA-256")
        files.append(data)
        offset += entry["size"]
    if offset != len(stream):
        raise Refused("bytes after the last file")
    return header, inner, files, i


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def static_url():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=STATIC))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(browser, static_url):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(static_url + "/seal-test.html")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def lot_key():
    return ec.generate_private_key(ec.SECP256R1())


def raw_public(private_key) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)


SEAL_IN_PAGE = """async ({key, files, ...args}) => {
    const bytes = (b64) => window.sealer.base64urlDecode(b64);
    if (key.raw !== undefined) args.publicKeyRaw = key.raw;            // base64url, as the platform publishes it
    if (key.jwk !== undefined) args.publicKeyJwk = key.jwk;
    if (key.spki !== undefined) args.publicKeySpki = bytes(key.spki);
    args.files = files.map(([name, b64]) => new File([bytes(b64)], name));
    return await window.blobToBase64(await window.sealer.sealBid(args));
}"""


def seal_in_browser(page, private_key, *, lot="7", files=(), segment_size=65536, key_format="raw",
                    price_form=PRICE_FORM):
    public = private_key.public_key()
    key = {
        "raw": {"raw": b64url(raw_public(private_key))},
        "spki": {"spki": b64url(public.public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo))},
        "jwk": {"jwk": {"kty": "EC", "crv": "P-256", "x": b64url(raw_public(private_key)[1:33]),
                        "y": b64url(raw_public(private_key)[33:])}},
    }[key_format]
    envelope = page.evaluate(SEAL_IN_PAGE, {
        "key": key, "files": [[name, b64url(data)] for name, data in files], "platform": PLATFORM,
        "lot": lot, "bidder": BIDDER, "priceForm": price_form, "segmentSize": segment_size})
    return b64url_decode(envelope)


TWO_FILES = [("技术标.pdf", os.urandom(200 * 1024)), ("报价单.txt", b"12345")]


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("segment_size", [65536, 4096])
def test_a_browser_envelope_has_the_v1_form_and_opens_with_cryptography(page, lot_key, segment_size):
    envelope = seal_in_browser(page, lot_key, files=TWO_FILES, segment_size=segment_size)

    header_bytes, header = check_form(envelope, platform=PLATFORM, lot="7", bidder=BIDDER)
    assert header_bytes.startswith(b'{"bidder":"91330100MA0000001X","enc":"'), "keys sorted, no spaces"
    assert header["segment_size"] == segment_size

    header, inner, files, segments = open_reference(envelope, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)
    assert files == [data for _, data in TWO_FILES]
    assert inner["files"] == [{"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                              for name, data in TWO_FILES]
    assert inner["price_form"] == PRICE_FORM
    total = 200 * 1024 + 5
    assert segments == -(-total // segment_size)
    assert len(envelope) == 8 + len(header_bytes) + total + 16 * segments


def test_an_envelope_sealed_for_lot_7_does_not_open_as_lot_8(page, lot_key):
    envelope = seal_in_browser(page, lot_key, lot="7", files=TWO_FILES[1:])
    header = json.loads(envelope[8:8 + struct.unpack(">I", envelope[4:8])[0]])
    enc, sealed = b64url_decode(header["enc"]), b64url_decode(header["sealed"])

    assert SUITE.decrypt(enc + sealed, lot_key, info=info_for(PLATFORM, "7", BIDDER))
    with pytest.raises(InvalidTag):
        SUITE.decrypt(enc + sealed, lot_key, info=info_for(PLATFORM, "8", BIDDER))
    with pytest.raises(Refused, match="another platform, lot or bidder"):
        check_form(envelope, platform=PLATFORM, lot="8", bidder=BIDDER)


def test_the_stream_cut_at_segment_boundaries_and_the_empty_stream(page, lot_key):
    """Exactly two segments' worth of bytes is two segments, the last one full; no files is one
    empty segment. A segment may span files (a 3-byte file sits inside the first one here)."""
    files = [("a.bin", os.urandom(3)), ("empty.txt", b""), ("b.bin", os.urandom(8189))]
    envelope = seal_in_browser(page, lot_key, files=files, segment_size=4096)
    _, inner, opened, segments = open_reference(envelope, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)
    assert (opened, segments) == ([data for _, data in files], 2)
    assert inner["files"][1] == {"name": "empty.txt", "size": 0, "sha256": hashlib.sha256(b"").hexdigest()}

    envelope = seal_in_browser(page, lot_key, files=[])
    header_bytes, _ = check_form(envelope, platform=PLATFORM, lot="7", bidder=BIDDER)
    assert len(envelope) == 8 + len(header_bytes) + 16
    _, inner, opened, segments = open_reference(envelope, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)
    assert (inner["files"], inner["price_form"], opened, segments) == ([], PRICE_FORM, [], 1)



@pytest.mark.parametrize("files, segment_size", [
    (TWO_FILES, 65536), (TWO_FILES, 4096), ([("a.bin", b"abc"), ("b.bin", os.urandom(8189))], 4096), ([], 65536)],
    ids=["two-files-64k", "two-files-4k", "exact-multiple", "no-files"])
def test_a_browser_envelope_opens_with_the_platforms_opener(page, lot_key, files, segment_size):
    """bidding.crypto.envelope.open_envelope, the opening's own code, opens what the browser sealed."""
    import io

    from bidding.crypto.envelope import Code, EnvelopeError, FileEntry, open_envelope

    envelope = seal_in_browser(page, lot_key, files=files, segment_size=segment_size)
    outputs = {}

    def files_out(index, entry):
        return outputs.setdefault(index, io.BytesIO())

    opened = open_envelope(stream=io.BytesIO(envelope), private_key=lot_key, platform=PLATFORM, lot="7",
                           bidder=BIDDER, envelope_sha256=hashlib.sha256(envelope).hexdigest(), files_out=files_out)
    assert opened.price_form == PRICE_FORM
    assert opened.files == tuple(FileEntry(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in files)
    assert [outputs[i].getvalue() for i in range(len(files))] == [data for _, data in files]
    assert opened.plaintext_sha256 == hashlib.sha256(b"".join(data for _, data in files)).hexdigest()
    assert (opened.envelope_sha256, opened.envelope_size) == (hashlib.sha256(envelope).hexdigest(), len(envelope))

    with pytest.raises(EnvelopeError) as refused:
        open_envelope(stream=io.BytesIO(envelope), private_key=lot_key, platform=PLATFORM, lot="8", bidder=BIDDER)
    assert refused.value.code == Code.WRONG_LOT


@pytest.mark.parametrize("key_format", ["spki", "jwk"])
def test_the_opening_key_may_also_be_given_as_spki_or_jwk(page, lot_key, key_format):
    envelope = seal_in_browser(page, lot_key, files=TWO_FILES[1:], key_format=key_format)
    assert open_reference(envelope, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)[2] == [b"12345"]


def test_a_tampered_reordered_or_truncated_envelope_does_not_open(page, lot_key):
    envelope = seal_in_browser(page, lot_key, files=[("x.bin", os.urandom(3 * 4096 + 100))], segment_size=4096)
    start = 8 + struct.unpack(">I", envelope[4:8])[0]
    step = 4096 + 16
    seg = [envelope[start + i * step:start + (i + 1) * step] for i in range(4)]
    flipped = bytearray(envelope)
    flipped[start + step + 10] ^= 1
    swapped = envelope[:start] + seg[1] + seg[0] + seg[2] + seg[3]
    truncated = envelope[:start] + seg[0] + seg[1] + seg[2]  # the last full segment lacks the last flag
    header_len = struct.unpack(">I", envelope[4:8])[0]
    spaced = (envelope[:4] + struct.pack(">I", header_len + 1)
              + envelope[8:start].replace(b'"lot":"7"', b'"lot": "7"', 1) + envelope[start:])
    for bad in (bytes(flipped), swapped, truncated):
        with pytest.raises(InvalidTag):
            open_reference(bad, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)
    with pytest.raises(Refused, match="canonical"):
        open_reference(spaced, lot_key, platform=PLATFORM, lot="7", bidder=BIDDER)


CANONICAL_CASES = [
    {"b": 1, "a": [True, False, None, -0, 9007199254740991], "": "x"},
    # U+FF08 sorts before U+20000 by code point (Python), after it by UTF-16 code unit (JS's default).
    {"（": "fullwidth", "𠀀": "extension B", "质量": "合格", "z": "é\u2028\u007f"},
    {"controls": "\x00\x01\x08\t\n\x0b\x0c\r\x1f \"\\/", "emoji": "😀", "nested": {"y": {}, "x": []}},
]


@pytest.mark.parametrize("value", CANONICAL_CASES)
def test_canonical_json_in_the_browser_is_byte_for_byte_pythons(page, value):
    js = page.evaluate("v => window.sealer.base64urlEncode(window.sealer.canonicalJson(v))", value)
    assert b64url_decode(js) == canonical(value)


def test_the_sealer_refuses_what_could_not_be_canonical_or_would_be_refused(page, lot_key):
    refused = page.evaluate("""async (raw) => {
        const base = {publicKeyRaw: raw, platform: "cn-demo-ggzy", lot: "7", bidder: "91330100MA0000001X",
                      priceForm: {price: "1.00", period_days: 30, items: {}}, files: []};
        const tries = {
            float: () => window.sealer.canonicalJson({a: 1.5}),
            lone_surrogate: () => window.sealer.canonicalJson({a: "\\ud800"}),
            price_3_decimals: () => window.sealer.sealBid({...base, priceForm: {...base.priceForm, price: "1.001"}}),
            price_number: () => window.sealer.sealBid({...base, priceForm: {...base.priceForm, price: 1}}),
            lot_not_digits: () => window.sealer.sealBid({...base, lot: "7a"}),
            bidder_short: () => window.sealer.sealBid({...base, bidder: "9133"}),
            segment_not_power_of_two: () => window.sealer.sealBid({...base, segmentSize: 5000}),
            segment_too_small: () => window.sealer.sealBid({...base, segmentSize: 2048}),
            compressed_key: () => window.sealer.sealBid({...base, publicKeyRaw: raw.slice(0, 44)}),
            unnamed_blob: () => window.sealer.sealBid({...base, files: [new Blob(["x"])]}),
        };
        const out = {};
        for (const [name, run] of Object.entries(tries)) {
            try { await run(); out[name] = "sealed"; } catch (e) { out[name] = e.name; }
        }
        return out;
    }""", b64url(raw_public(lot_key)))
    assert refused == {name: "SealError" for name in refused} and len(refused) == 10



def test_the_bundled_hpke_opens_the_rfc_9180_test_vector(page):
    """The committed bundle's KEM, KDF and key schedule are RFC 9180's: it opens the appendix vector
    (P-256 with HKDF-SHA256 is there only with AES-128-GCM; the sealer's AES-256-GCM is checked
    against cryptography by every test above)."""
    vector = json.loads(RFC9180_VECTOR.read_text())
    assert [int(vector[k]) for k in ("mode", "kem_id", "kdf_id")] == [0, 16, 1]
    opened = page.evaluate("""async ({vector, aead}) => {
        const hex = (h) => Uint8Array.from(h.match(/../g) || [], (b) => parseInt(b, 16));
        const toHex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
        const {CipherSuite, DhkemP256HkdfSha256, HkdfSha256} = window.hpke;
        const suite = new CipherSuite({kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(),
                                       aead: new window.hpke[aead]()});
        const recipientKey = await suite.kem.deserializePrivateKey(hex(vector.skRm));
        const context = await suite.createRecipientContext(
            {recipientKey, enc: hex(vector.enc), info: hex(vector.info)});
        const out = [];
        for (const e of vector.encryptions) out.push(toHex(await context.open(hex(e.ct), hex(e.aad))));
        return out;
    }""", {"vector": vector, "aead": {1: "Aes128Gcm", 2: "Aes256Gcm"}[int(vector["aead_id"])]})
    encryptions = vector["encryptions"]
    assert opened == [e["pt"] for e in encryptions] and len(encryptions) >= 1
    assert [e["nonce"] for e in encryptions][:1] == [vector["base_nonce"]]

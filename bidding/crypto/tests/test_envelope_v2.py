"""Envelope v2: neither lock opens a bid alone — all n custodians' shares (the rebuilt lot key) cannot,
the bidder's key cannot, both together can — a part moved to another lot or bidder fails, a wrong
released part is caught on the spot, and the submission's form check."""
import hashlib
import io
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bidding.crypto import envelope_v2 as v2, shamir
from bidding.crypto.canonical import b64url_encode, canonical_json, canonical_parse
from bidding.crypto.envelope import Code, EnvelopeError, Fault, open_envelope
from bidding.crypto.opening_key import opening_key_create, private_key_rebuild, public_key_load
from bidding.crypto.sealing import seal, seal_v2

PLATFORM, LOT, BIDDER = "cn-test-ggzy", "7", "91310000MA1FL0000X"
OTHER_BIDDER = "91110000MA0000000Y"
FORM = {"price": "1250000.00", "period_days": 180, "items": {"项目经理": "张三"}}
NAMES = {"platform": PLATFORM, "lot": LOT, "bidder": BIDDER}


@pytest.fixture(scope="module")
def lot_key():
    """The lot's opening key as publication makes it: the scalar split 2 of 3 at once; the test keeps
    the shares as the three custodians would."""
    scalar, public = opening_key_create()
    return public, shamir.split(scalar, 2, 3)


@pytest.fixture(scope="module")
def rebuilt(lot_key):
    """What all n custodians together hold: the lot key rebuilt from every share."""
    public, shares = lot_key
    return private_key_rebuild(shamir.combine(shares), expected_public_raw=public)


@pytest.fixture(scope="module")
def bidder_key():
    return ec.generate_private_key(ec.SECP256R1())


def sealed(lot_key, bidder_key, files=(("bid.pdf", b"%PDF-1.7 " * 2000),), *, lot=LOT, bidder=BIDDER,
           form=FORM) -> bytes:
    out = io.BytesIO()
    result = seal_v2(lot_public_key=public_key_load(lot_key[0]), bidder_public_key=bidder_key.public_key(),
                     platform=PLATFORM, lot=lot, bidder=bidder, price_form=form,
                     files=[(name, io.BytesIO(data), len(data)) for name, data in files], out=out, segment_size=4096)
    envelope = out.getvalue()
    assert (result.sha256, result.size) == (hashlib.sha256(envelope).hexdigest(), len(envelope))
    return envelope


def header_of(envelope: bytes) -> v2.EnvelopeHeaderV2:
    return v2.header_check(v2.header_read(io.BytesIO(envelope)), bidder_key=None, **NAMES)


def failure(call, code):
    with pytest.raises(EnvelopeError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


@pytest.mark.parametrize("files", [
    [],
    [("empty.pdf", b"")],
    [("a.pdf", os.urandom(10_000)), ("empty.txt", b""), ("b.pdf", os.urandom(5000))],
    [("exact.bin", os.urandom(3 * 4096))],
])
def test_both_locks_together_open_the_bid(lot_key, rebuilt, bidder_key, files):
    envelope = sealed(lot_key, bidder_key, files)
    fingerprint = v2.key_fingerprint(bidder_key.public_key())
    checked = v2.form_check_v2(stream=io.BytesIO(envelope), bidder_key=fingerprint, max_size=None, **NAMES)
    part = v2.bidder_part_unlock(header=checked, private_key=bidder_key, **NAMES)
    outputs = {}
    opened = v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=rebuilt, bidder_part=part,
                                 bidder_key=fingerprint, envelope_sha256=checked.sha256,
                                 files_out=lambda index, entry: outputs.setdefault(index, io.BytesIO()), **NAMES)
    assert opened.price_form == FORM and opened.envelope_sha256 == checked.sha256
    assert {index: out.getvalue() for index, out in outputs.items()} == {i: data for i, (_, data) in enumerate(files)}
    assert len(envelope) - 8 - len(checked.header) == sum(len(d) for _, d in files) + max(
        1, -(-sum(len(d) for _, d in files) // 4096)) * 16


def test_all_custodians_together_cannot_open_a_v2_bid(lot_key, rebuilt, bidder_key):
    envelope = sealed(lot_key, bidder_key)
    header = header_of(envelope)
    lot_part = v2.lot_part_open(header=header, private_key=rebuilt, **NAMES)  # the custodians' lock opens…
    # …but without the bidder's part there is nothing to give: a guessed part is refused before any
    # decryption, and even past that check the inner does not open.
    for guess in (bytes(32), os.urandom(32), lot_part):
        failure(lambda: v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=rebuilt, bidder_part=guess,
                                            **NAMES), Code.BIDDER_PART_MISMATCH)
        failure(lambda: v2.inner_open(header=header, lot_part=lot_part, bidder_part=guess), Code.DECRYPT_FAILED)
    # The v1 opener with the lot key does not take a v2 envelope either.
    failure(lambda: open_envelope(stream=io.BytesIO(envelope), private_key=rebuilt, **NAMES), Code.BAD_MAGIC)


def test_the_bidder_alone_cannot_open_its_bid(lot_key, bidder_key):
    envelope = sealed(lot_key, bidder_key)
    header = header_of(envelope)
    part = v2.bidder_part_unlock(header=header, private_key=bidder_key, **NAMES)
    error = failure(lambda: v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=bidder_key,
                                                bidder_part=part, **NAMES), Code.DECRYPT_FAILED)
    assert error.fault == Fault.BIDDER
    failure(lambda: v2.lot_part_open(header=header, private_key=bidder_key, **NAMES), Code.DECRYPT_FAILED)
    for guess in (bytes(32), os.urandom(32), part):
        failure(lambda: v2.inner_open(header=header, lot_part=guess, bidder_part=part), Code.DECRYPT_FAILED)


def test_a_single_custodian_share_is_not_the_lot_key(lot_key, bidder_key):
    public, shares = lot_key
    with pytest.raises(ValueError):
        private_key_rebuild(shamir.combine(shares[:1]), expected_public_raw=public)


def test_another_key_of_the_bidder_does_not_unlock_its_part(lot_key, bidder_key):
    envelope = sealed(lot_key, bidder_key)
    other = ec.generate_private_key(ec.SECP256R1())
    failure(lambda: v2.bidder_part_unlock(header=header_of(envelope), private_key=other, **NAMES),
            Code.WRONG_BIDDER_KEY)


def _transplant(target: bytes, source: bytes, fields: tuple[str, ...]) -> bytes:
    """``target`` with header ``fields`` taken from ``source`` (both are sealed by the same bidder key)."""
    def header(envelope):
        length = int.from_bytes(envelope[4:8], "big")
        return canonical_parse(envelope[8:8 + length]), envelope[8 + length:]

    target_fields, segments = header(target)
    source_fields, _ = header(source)
    merged = canonical_json(target_fields | {name: source_fields[name] for name in fields})
    return v2.MAGIC + len(merged).to_bytes(4, "big") + merged + segments


def test_a_part_moved_to_another_lot_or_bidder_fails(lot_key, rebuilt, bidder_key):
    here = sealed(lot_key, bidder_key)
    there = sealed(lot_key, bidder_key, lot="8")
    under_other = sealed(lot_key, bidder_key, bidder=OTHER_BIDDER)
    part_there = v2.bidder_part_unlock(header=v2.header_read(io.BytesIO(there)), private_key=bidder_key,
                                       platform=PLATFORM, lot="8", bidder=BIDDER)
    # The part released for lot 8 is not this lot's part.
    failure(lambda: v2.bidder_part_check(header=header_of(here), part=part_there, **NAMES), Code.BIDDER_PART_MISMATCH)
    # The sealed parts of another lot's (or another bidder's) envelope do not open under this lot's names.
    for source, fields in ((there, ("bidder_enc", "bidder_sealed", "bidder_commit")),
                           (under_other, ("bidder_enc", "bidder_sealed", "bidder_commit"))):
        moved = _transplant(here, source, fields)
        failure(lambda: v2.bidder_part_unlock(header=header_of(moved), private_key=bidder_key, **NAMES),
                Code.DECRYPT_FAILED)
    for source in (there, under_other):
        moved = _transplant(here, source, ("lot_enc", "lot_sealed"))
        failure(lambda: v2.lot_part_open(header=header_of(moved), private_key=rebuilt, **NAMES), Code.DECRYPT_FAILED)
    # The whole envelope under another lot's or bidder's name: refused by its clear header.
    failure(lambda: v2.form_check_v2(stream=io.BytesIO(there), bidder_key=None, max_size=None, **NAMES), Code.WRONG_LOT)
    failure(lambda: v2.form_check_v2(stream=io.BytesIO(under_other), bidder_key=None, max_size=None, **NAMES),
            Code.WRONG_BIDDER)


def test_a_released_part_is_checked_without_any_key(lot_key, bidder_key):
    envelope = sealed(lot_key, bidder_key)
    header = header_of(envelope)
    part = v2.bidder_part_unlock(header=header, private_key=bidder_key, **NAMES)
    v2.bidder_part_check(header=header, part=part, **NAMES)
    flipped = bytes([part[0] ^ 1]) + part[1:]
    for wrong in (flipped, part[:31], part + b"\x00"):
        failure(lambda: v2.bidder_part_check(header=header, part=wrong, **NAMES), Code.BIDDER_PART_MISMATCH)


def test_the_submission_check(lot_key, bidder_key):
    envelope = sealed(lot_key, bidder_key)
    fingerprint = v2.key_fingerprint(bidder_key.public_key())
    reader = v2.CheckingReaderV2(io.BytesIO(envelope), bidder_key=fingerprint, max_size=None, **NAMES)
    assert b"".join(iter(lambda: reader.read(1000), b"")) == envelope
    assert reader.result().sha256 == hashlib.sha256(envelope).hexdigest()

    def check(data, **overrides):
        arguments = {"bidder_key": fingerprint, "max_size": None, **NAMES, **overrides}
        return lambda: v2.form_check_v2(stream=io.BytesIO(data), **arguments)

    other_key = v2.key_fingerprint(ec.generate_private_key(ec.SECP256R1()).public_key())
    failure(check(envelope, bidder_key=other_key), Code.WRONG_BIDDER_KEY)
    failure(check(envelope, max_size=len(envelope) - 1), Code.TOO_LARGE)
    header_end = 8 + int.from_bytes(envelope[4:8], "big")
    failure(check(envelope[:header_end + 10]), Code.BAD_SEGMENTS)
    failure(check(b"PBE1" + envelope[4:]), Code.BAD_MAGIC)
    v1 = io.BytesIO()
    seal(public_key=public_key_load(lot_key[0]), platform=PLATFORM, lot=LOT, bidder=BIDDER, price_form=FORM,
         files=[], out=v1)
    failure(check(v1.getvalue()), Code.BAD_MAGIC)
    fields = canonical_parse(envelope[8:header_end])
    for name, value in (("lot_sealed", b64url_encode(os.urandom(47))), ("bidder_commit", b64url_encode(os.urandom(31))),
                        ("lot_enc", b64url_encode(b"\x04" + bytes(64))), ("v", 1), ("bidder_key", "x" * 43)):
        header = canonical_json(fields | {name: value})
        failure(check(v2.MAGIC + len(header).to_bytes(4, "big") + header + envelope[header_end:]), Code.BAD_HEADER)


def test_storage_damage_is_the_platforms_and_stream_damage_the_bidders(lot_key, rebuilt, bidder_key):
    envelope = sealed(lot_key, bidder_key, (("a.bin", os.urandom(3 * 4096 + 100)),))
    part = v2.bidder_part_unlock(header=header_of(envelope), private_key=bidder_key, **NAMES)
    receipt = hashlib.sha256(envelope).hexdigest()
    damaged = bytearray(envelope)
    damaged[-50] ^= 1
    error = failure(lambda: v2.open_envelope_v2(stream=io.BytesIO(bytes(damaged)), private_key=rebuilt,
                                                bidder_part=part, envelope_sha256=receipt, **NAMES), Code.HASH_MISMATCH)
    assert error.fault == Fault.PLATFORM
    error = failure(lambda: v2.open_envelope_v2(stream=io.BytesIO(bytes(damaged)), private_key=rebuilt,
                                                bidder_part=part, envelope_sha256=hashlib.sha256(damaged).hexdigest(),
                                                **NAMES), Code.BAD_STREAM)
    assert error.fault == Fault.BIDDER

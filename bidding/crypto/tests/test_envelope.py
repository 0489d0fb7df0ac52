"""Envelope v1: round trips, streaming memory, and every way a stored envelope can be spoiled."""
import hashlib
import io
import os
import tracemalloc

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bidding.crypto.envelope import CheckingReader, Code, EnvelopeError, Fault, form_check, MAGIC, open_envelope, TAG
from bidding.crypto.sealing import seal

PLATFORM, LOT, BIDDER = "cn-test-ggzy", "7", "91310000MA1FL0000X"
OTHER_BIDDER = "91110000MA0000000Y"
FORM = {"price": "1250000.00", "period_days": 180, "items": {"项目经理": "张三", "质量": "合格"}}


@pytest.fixture(scope="module")
def key():
    return ec.generate_private_key(ec.SECP256R1())


def sealed(key, files, *, segment_size=4096, lot=LOT, bidder=BIDDER, form=FORM) -> bytes:
    out = io.BytesIO()
    result = seal(public_key=key.public_key(), platform=PLATFORM, lot=lot, bidder=bidder, price_form=form,
                  files=[(name, io.BytesIO(data), len(data)) for name, data in files], out=out,
                  segment_size=segment_size)
    envelope = out.getvalue()
    assert result.sha256 == hashlib.sha256(envelope).hexdigest() and result.size == len(envelope)
    return envelope


def opened(key, envelope, **overrides):
    outputs = {}

    def files_out(index, entry):
        outputs[index] = io.BytesIO()
        return outputs[index]

    arguments = {"stream": io.BytesIO(envelope), "private_key": key, "platform": PLATFORM, "lot": LOT,
                 "bidder": BIDDER, "files_out": files_out} | overrides
    result = open_envelope(**arguments)
    return result, {index: out.getvalue() for index, out in outputs.items()}


def check(envelope, **overrides):
    arguments = {"stream": io.BytesIO(envelope), "platform": PLATFORM, "lot": LOT, "bidder": BIDDER,
                 "max_size": None} | overrides
    return form_check(**arguments)


def segments_start(envelope: bytes) -> int:
    return 8 + int.from_bytes(envelope[4:8], "big")


@pytest.mark.parametrize("files", [
    [],
    [("empty.pdf", b"")],
    [("a.pdf", os.urandom(10_000)), ("empty.txt", b""), ("b.pdf", os.urandom(5000))],
    [("exact.bin", os.urandom(3 * 4096))],
    [("one.bin", os.urandom(4096)), ("two.bin", os.urandom(4096))],
    [("short.bin", b"x")],
])
def test_round_trip(key, files):
    envelope = sealed(key, files)
    header = check(envelope)
    result, outputs = opened(key, envelope, envelope_sha256=header.sha256)
    stream = b"".join(data for _, data in files)
    assert result.price_form == FORM
    assert [(entry.name, entry.size) for entry in result.files] == [(name, len(data)) for name, data in files]
    assert outputs == {index: data for index, (_, data) in enumerate(files)}
    assert result.plaintext_sha256 == hashlib.sha256(stream).hexdigest()
    # Segment count: max(1, ceil(T / S)) — an exact multiple ends on a full last segment.
    expected = max(1, -(-len(stream) // 4096))
    assert len(envelope) - segments_start(envelope) == len(stream) + expected * TAG


class _Pattern(io.RawIOBase):
    """A seekable file of ``size`` pseudo-random bytes that never exists in memory as a whole."""

    def __init__(self, size: int):
        self._size, self._position = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._position

    def seek(self, offset, whence=0):
        self._position = offset
        return offset

    def read(self, size=-1):
        size = min(size if size >= 0 else self._size, self._size - self._position)
        block = self._position // 4096
        data = b"".join(hashlib.sha256(index.to_bytes(8, "big")).digest() * 128
                        for index in range(block, (self._position + size) // 4096 + 1))
        start = self._position - block * 4096
        self._position += size
        return data[start:start + size]


class _Sink:
    def __init__(self):
        self.hash, self.size = hashlib.sha256(), 0

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)


def test_twenty_mebibytes_stream_through_in_constant_memory(key, tmp_path):
    size = 20 * 1024 * 1024
    path = tmp_path / "bid.pbe"
    tracemalloc.start()
    with open(path, "wb") as out:
        seal(public_key=key.public_key(), platform=PLATFORM, lot=LOT, bidder=BIDDER, price_form=FORM,
             files=[("big.bin", _Pattern(size), size)], out=out)
    seal_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    with open(path, "rb") as stream:
        header = form_check(stream=stream, platform=PLATFORM, lot=LOT, bidder=BIDDER, max_size=None)
    sink = _Sink()
    with open(path, "rb") as stream:
        result = open_envelope(stream=stream, private_key=key, platform=PLATFORM, lot=LOT, bidder=BIDDER,
                               envelope_sha256=header.sha256, files_out=lambda index, entry: sink)
    open_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sink.size == size and result.files[0].sha256 == sink.hash.hexdigest()
    # A few 1 MiB read buffers and 64 KiB segments, nowhere near the 20 MiB bid.
    assert seal_peak < 4 * 1024 * 1024, seal_peak
    assert open_peak < 4 * 1024 * 1024, open_peak


def spoiled(key, mutate):
    envelope = sealed(key, [("a.bin", os.urandom(3 * 4096 + 100))])
    start = segments_start(envelope)
    return envelope, mutate(envelope, start)


@pytest.mark.parametrize("mutate, code", [
    (lambda e, s: e[:s + 5] + bytes([e[s + 5] ^ 1]) + e[s + 6:], Code.BAD_STREAM),  # one ciphertext bit
    (lambda e, s: e[:s] + e[s + 4112:s + 2 * 4112] + e[s:s + 4112] + e[s + 2 * 4112:], Code.BAD_STREAM),  # swap
    (lambda e, s: e[:s + 3 * 4112], Code.BAD_STREAM),  # last segment dropped: the one before is not "last"
    (lambda e, s: e + os.urandom(4112), Code.BAD_STREAM),  # a segment appended
    (lambda e, s: e[:s + 4112] + e[s + 2 * 4112:], Code.BAD_STREAM),  # a middle segment dropped
    (lambda e, s: e + b"\x00" * 5, Code.BAD_STREAM),  # bytes appended to the last segment
    (lambda e, s: e[:s + 3 * 4112 + 10], Code.BAD_SEGMENTS),  # a last segment shorter than its tag
])
def test_tampering_fails_the_opening_and_is_the_bidders_fault_only_without_a_receipt(key, mutate, code):
    original, envelope = spoiled(key, mutate)
    with pytest.raises(EnvelopeError) as error:
        opened(key, envelope)
    assert error.value.code == code
    # Against the receipt of the original bytes, the same damage is the platform's (storage).
    receipt_hash = hashlib.sha256(original).hexdigest()
    with pytest.raises(EnvelopeError) as error:
        opened(key, envelope, envelope_sha256=receipt_hash)
    assert error.value.code == Code.HASH_MISMATCH and error.value.fault == Fault.PLATFORM


def test_a_superseded_envelope_that_opens_is_still_refused_against_the_receipt(key):
    earlier, later = sealed(key, [("a.bin", b"one")]), sealed(key, [("a.bin", b"two")])
    with pytest.raises(EnvelopeError) as error:
        opened(key, earlier, envelope_sha256=hashlib.sha256(later).hexdigest())
    assert error.value.code == Code.HASH_MISMATCH


def test_replay_into_another_lot_or_bidder(key):
    envelope = sealed(key, [("a.bin", b"data")])
    with pytest.raises(EnvelopeError) as error:
        check(envelope, lot="8")
    assert error.value.code == Code.WRONG_LOT
    with pytest.raises(EnvelopeError) as error:
        check(envelope, bidder=OTHER_BIDDER)
    assert error.value.code == Code.WRONG_BIDDER
    with pytest.raises(EnvelopeError) as error:
        check(envelope, platform="cn-other")
    assert error.value.code == Code.WRONG_PLATFORM
    # Rewriting the clear header to the other bidder passes the form but not HPKE's info binding.
    forged = envelope.replace(BIDDER.encode(), OTHER_BIDDER.encode())
    assert check(forged, bidder=OTHER_BIDDER).bidder == OTHER_BIDDER
    with pytest.raises(EnvelopeError) as error:
        opened(key, forged, bidder=OTHER_BIDDER)
    assert error.value.code == Code.DECRYPT_FAILED and error.value.fault == Fault.BIDDER


def test_wrong_key_fails(key):
    envelope = sealed(key, [("a.bin", b"data")])
    with pytest.raises(EnvelopeError) as error:
        opened(ec.generate_private_key(ec.SECP256R1()), envelope)
    assert error.value.code == Code.DECRYPT_FAILED


@pytest.mark.parametrize("mutate, code", [
    (lambda e: b"PBE2" + e[4:], Code.BAD_MAGIC),
    (lambda e: e[:2], Code.BAD_MAGIC),
    (lambda e: MAGIC + (70000).to_bytes(4, "big") + e[8:], Code.BAD_HEADER),
    (lambda e: e[:20], Code.BAD_HEADER),
    (lambda e: e.replace(b'"v":1', b'"v":2'), Code.BAD_HEADER),
    (lambda e: e.replace(b'"segment_size":4096', b'"segment_size":4097'), Code.BAD_HEADER),
    (lambda e: e.replace(b'{"bidder"', b'{ "bidder"').replace(e[4:8], (int.from_bytes(e[4:8], "big") + 1)
                                                               .to_bytes(4, "big"), 1), Code.BAD_HEADER),
    (lambda e: e[:segments_start(e) + 4112 + 7], Code.BAD_SEGMENTS),
    (lambda e: e[:segments_start(e)], Code.BAD_SEGMENTS),
])
def test_form_check_refuses(key, mutate, code):
    envelope = mutate(sealed(key, [("a.bin", b"data" * 3000)]))
    with pytest.raises(EnvelopeError) as error:
        check(envelope)
    assert error.value.code == code


def test_form_check_refuses_too_large_early(key):
    envelope = sealed(key, [("a.bin", os.urandom(50_000))])
    with pytest.raises(EnvelopeError) as error:
        check(envelope, max_size=len(envelope) - 1)
    assert error.value.code == Code.TOO_LARGE
    assert check(envelope, max_size=len(envelope)).size == len(envelope)


def test_checking_reader_passes_the_bytes_through_and_checks_them(key):
    envelope = sealed(key, [("a.bin", os.urandom(20_000))])
    reader = CheckingReader(io.BytesIO(envelope), platform=PLATFORM, lot=LOT, bidder=BIDDER, max_size=None)
    stored = b"".join(iter(lambda: reader.read(1000), b""))
    header = reader.result()
    assert stored == envelope and header.sha256 == hashlib.sha256(envelope).hexdigest()
    bad = CheckingReader(io.BytesIO(b"XXXX" + envelope[4:]), platform=PLATFORM, lot=LOT, bidder=BIDDER,
                         max_size=None)
    with pytest.raises(EnvelopeError) as error:
        bad.read(1000)
    assert error.value.code == Code.BAD_MAGIC
    stopped = CheckingReader(io.BytesIO(envelope), platform=PLATFORM, lot=LOT, bidder=BIDDER, max_size=None)
    stopped.read(100)
    with pytest.raises(ValueError):
        stopped.result()


@pytest.mark.parametrize("form", [
    {"price": "12.345", "period_days": 1, "items": {}},
    {"price": "-1", "period_days": 1, "items": {}},
    {"price": "01", "period_days": 1, "items": {}},
    {"price": 12, "period_days": 1, "items": {}},
    {"price": "12", "period_days": True, "items": {}},
    {"price": "12", "period_days": 1, "items": {"a": 1}},
    {"price": "12", "period_days": 1},
])
def test_sealer_refuses_a_price_form_the_opener_would_refuse(key, form):
    with pytest.raises(EnvelopeError) as error:
        sealed(key, [], form=form)
    assert error.value.code == Code.SEAL_INPUT


def test_sealer_refuses_a_file_that_changes_between_its_two_reads(key):
    class Changing(io.BytesIO):
        reads = 0

        def seek(self, *args):
            Changing.reads += 1
            if Changing.reads == 2:
                self.getbuffer()[0] ^= 1
            return super().seek(*args)

    with pytest.raises(EnvelopeError) as error:
        seal(public_key=key.public_key(), platform=PLATFORM, lot=LOT, bidder=BIDDER, price_form=FORM,
             files=[("a.bin", Changing(b"abc" * 10), 30)], out=io.BytesIO())
    assert error.value.code == Code.SEAL_INPUT


VECTOR_FILES = sorted((os.path.dirname(__file__) + "/vectors/" + name)
                      for name in os.listdir(os.path.dirname(__file__) + "/vectors") if name.startswith("envelope_"))


def test_at_least_the_four_committed_vectors_exist():
    names = {os.path.basename(path) for path in VECTOR_FILES}
    assert {"envelope_small_one_file.json", "envelope_multi_segment_two_files.json",
            "envelope_exact_segments.json", "envelope_no_files.json"} <= names


@pytest.mark.parametrize("path", VECTOR_FILES, ids=os.path.basename)
def test_committed_vector_opens(path):
    import base64
    import json

    from cryptography.hazmat.primitives.serialization import load_der_private_key

    with open(path, encoding="utf-8") as vector_file:
        vector = json.load(vector_file)
    assert set(vector) == {"recipient_private_key_pkcs8_b64", "platform", "lot", "bidder", "price_form", "files",
                           "envelope_b64", "plaintext_sha256"}
    envelope = base64.b64decode(vector["envelope_b64"])
    private_key = load_der_private_key(base64.b64decode(vector["recipient_private_key_pkcs8_b64"]), None)
    identity = {"platform": vector["platform"], "lot": vector["lot"], "bidder": vector["bidder"]}
    header = form_check(stream=io.BytesIO(envelope), max_size=None, **identity)
    outputs = {}
    result = open_envelope(stream=io.BytesIO(envelope), private_key=private_key,
                           envelope_sha256=header.sha256,
                           files_out=lambda index, entry: outputs.setdefault(index, io.BytesIO()), **identity)
    assert result.plaintext_sha256 == vector["plaintext_sha256"]
    assert result.price_form == vector["price_form"]
    assert [entry.name for entry in result.files] == [f["name"] for f in vector["files"]]
    assert [outputs[index].getvalue() for index in range(len(result.files))] == [
        base64.b64decode(f["content_b64"]) for f in vector["files"]]

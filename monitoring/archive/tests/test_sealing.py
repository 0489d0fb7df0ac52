"""Sealing the archive of lots that ended, through the real services, database and S3 store: a
contracted lot's archive holds its whole record and verifies offline with the command line (in a
fresh process that cannot import Django); one changed byte in a document, the manifest or the
signature makes the check fail; the sweep is idempotent and skips a lot another sweep holds; the
stored object is under retention from the rule table; sealing streams."""
import io
import json
import os
import struct
import subprocess
import sys
import threading
import tracemalloc
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from bidding.crypto import receipts
from bidding.crypto.archive import MANIFEST, SIGNATURE, central_header, end_records, local_header
from monitoring.archive.models import LotArchive
from monitoring.archive.services import archive_sweep, lot_archive_seal
from monitoring.archive.tests.conftest import AMENDED_DOCUMENT, ATTACHMENT, TENDER_DOCUMENT
from monitoring.integrity.models import Flag, FlagCheck
from monitoring.models import AuditEntry
from supervisors.verify import report_verify
from trading import signing
from trading.models import Announcement, Lot, LotDocument, Rule, RuleCode
from trading.storage import StorageError, get_storage

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def blocked(tmp_path_factory) -> Path:
    """Packages that fail on import, put first on the path: the checker must not need the platform."""
    blocked = tmp_path_factory.mktemp("blocked")
    for name in ("django", "config", "monitoring", "trading", "supervisors", "environ", "rest_framework"):
        (blocked / name).mkdir()
        (blocked / name / "__init__.py").write_text(f"raise ImportError('{name} must not be imported')\n")
    return blocked


@pytest.fixture
def platform_key(tmp_path) -> Path:
    path = tmp_path / "platform-key.pem"
    path.write_bytes(signing.public_key_pem())
    return path


def check(blocked: Path, archive: Path, key: Path) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": f"{blocked}{os.pathsep}{ROOT}"}
    return subprocess.run([sys.executable, "-m", "bidding.verify", "archive", str(archive), "--key", str(key)],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def downloaded(archive: LotArchive, path: Path) -> Path:
    with get_storage().get(archive.storage_key) as stored:
        path.write_bytes(stored.read())
    return path


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as unpacked:
        return {name: unpacked.read(name) for name in unpacked.namelist()}


def data_offset(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as unpacked:
        header = unpacked.getinfo(name).header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    return header + 30 + name_length + extra_length


def relaid(items: list[tuple[str, bytes]]) -> bytes:
    """The members laid out afresh as the format says, every CRC right: a forger's archive."""
    out, directory = bytearray(), bytearray()
    for path, data in items:
        name = path.encode()
        directory += central_header(name, zlib.crc32(data), len(data), len(out))
        out += local_header(name, zlib.crc32(data), len(data)) + data
    offset = len(out)
    return bytes(out + directory + end_records(count=len(items), directory_offset=offset,
                                               directory_size=len(directory)))


def test_a_contracted_lot_s_archive_holds_its_record_and_verifies_offline(contracted_lot, blocked, platform_key,
                                                                         tmp_path):
    lot = contracted_lot
    # Red flags as the integrity rules leave them at the opening (their own tests raise them).
    FlagCheck.objects.create(lot=lot, stage="opening", checked_at=lot.bid_deadline, flags=1,
                             thresholds={"flag_submission_gap": "60 seconds"})
    Flag.objects.create(lot=lot, stage="opening", rule="submission_gap", raised_at=lot.bid_deadline,
                        evidence={"bids": [1, 2], "seconds": 41})
    assert archive_sweep() == {"sealed": 1, "failed": 0}
    archive = LotArchive.objects.get(lot=lot)
    path = downloaded(archive, tmp_path / "archive.zip")
    done = check(blocked, path, platform_key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"ok archive of lot {lot.code} (contracted)")
    assert archive.sha256 in done.stdout and "audit extract of" in done.stdout

    data = path.read_bytes()
    inside = members(data)
    assert (archive.size, archive.files, archive.outcome) == (len(data), len(inside) - 2, "contracted")
    assert inside["documents/v1/招标文件.pdf"] == TENDER_DOCUMENT
    assert inside["documents/v2/招标文件.pdf"] == AMENDED_DOCUMENT
    kinds = [row["kind"] for row in json.loads(inside["announcements.json"])["announcements"]]
    assert {Announcement.Kind.TENDER, Announcement.Kind.AMENDMENT} <= set(kinds)
    key = signing.public_key()
    bids = json.loads(inside["bids/bids.json"])["bids"]
    assert len(bids) == 3
    for bid in lot.bids.all():
        receipt = receipts.receipt_verify(json.loads(inside[f"bids/receipts/{bid.receipt_id}.json"]), key)
        assert receipt["envelope_sha256"] == bid.envelope_sha256
        with get_storage().get(bid.storage_key) as envelope:
            assert envelope.read() not in data  # the sealed envelope itself stays out
    assert all("storage_key" not in row and "receipt" not in row for row in bids)
    assert "技术标书".encode() not in data  # nor what it sealed
    record = json.loads(inside["opening/opening-record.json"])
    assert len(receipts.signed_verify(record, "opening-record", key)["bids"]) == 3
    report = receipts.signed_verify(json.loads(inside["evaluation/evaluation-report.json"]), "evaluation-report", key)
    assert len(report["candidates"]) == 3
    notices = [name for name in inside if name.startswith("award/notices/")]
    assert sorted(name.rsplit("-", 1)[1] for name in notices) == ["award.json", "result.json", "result.json"]
    for name in notices:
        document = json.loads(inside[name])
        receipts.signed_verify(document, document["document"]["kind"], key)
    (report_name,) = [name for name in inside if name.startswith("supervision/reports/") and name.endswith(".json")]
    assert report_verify(document=json.loads(inside[report_name]), public_key=key).startswith("ok observation report")
    assert inside[report_name.removesuffix(".json") + "/attachment.pdf"] == ATTACHMENT
    flags = json.loads(inside["integrity/flags.json"])
    assert [(f["rule"], f["evidence"]) for f in flags["flags"]] == [("submission_gap", {"bids": [1, 2], "seconds": 41})]
    (complaint,) = json.loads(inside["complaints/complaints.json"])["complaints"]
    assert (complaint["status"], complaint["act"]) == ("refused", "评标委员会对我方业绩认定有误")
    extract = json.loads(inside["audit/extract.json"])
    assert {entry["kind"] for entry in extract["entries"] if entry["subject"] == f"lot:{lot.pk}"} >= {
        "lot.created", "lot.amended", "document.uploaded", "opening.record_published", "award.approved"}
    body = json.loads(inside[MANIFEST])["body"]
    assert (body["platform"], body["lot"]["id"], body["outcome"]) == (settings.PLATFORM_ID, lot.pk, "contracted")
    assert body["retention"]["years"] == 10 and body["audit"]["checkpoint"] == extract["checkpoint"]["entry"]
    (sealed,) = AuditEntry.objects.filter(kind="archive.sealed")
    assert (sealed.subject, sealed.data["sha256"], sealed.data["archive"]) == (f"lot:{lot.pk}", archive.sha256,
                                                                             archive.pk)

    # One changed byte: in a document, in the manifest, in the signature.
    for name, position in (("documents/v2/招标文件.pdf", 5000), (MANIFEST, 40), (SIGNATURE, 10)):
        changed = bytearray(data)
        at = data_offset(data, name) + position
        changed[at] = ord("B") if changed[at] == ord("A") else ord("A")
        forged = tmp_path / "changed.zip"
        forged.write_bytes(bytes(changed))
        done = check(blocked, forged, platform_key)
        assert done.returncode == 1 and done.stderr.startswith(f"bad: {name}: altered"), (name, done.stderr)
    # A forger who also mends the CRC-32s: the manifest says something else, the signature does not.
    forged_manifest = inside[MANIFEST].replace(b'"outcome":"contracted"', b'"outcome":"terminated"')
    items = [(name, forged_manifest if name == MANIFEST else content) for name, content in inside.items()]
    forged.write_bytes(relaid(items))
    done = check(blocked, forged, platform_key)
    assert done.returncode == 1 and "manifest.sig does not verify manifest.json under this key" in done.stderr
    # ...or a new document listed in a manifest he cannot sign.
    forged.write_bytes(relaid(items[:-2] + [("documents/v3/招标文件.pdf", b"%PDF forged")] + items[-2:]))
    done = check(blocked, forged, platform_key)
    assert done.returncode == 1 and "bad: " in done.stderr


def test_the_sweep_is_idempotent_and_leaves_lots_that_have_not_ended(failed_lot, make_lot, publish_sealed):
    lot = failed_lot()
    running = publish_sealed(make_lot("procurement"))
    assert archive_sweep() == {"sealed": 1, "failed": 0}
    assert archive_sweep() == {"sealed": 0, "failed": 0}
    assert lot_archive_seal(lot_id=lot.pk) is None
    assert lot_archive_seal(lot_id=running.pk) is None
    (archive,) = LotArchive.objects.all()
    assert (archive.lot_id, archive.outcome) == (lot.pk, Lot.Status.FAILED)
    assert AuditEntry.objects.filter(kind="archive.sealed").count() == 1


def test_the_stored_archive_is_retained_for_the_rule_table_s_years(failed_lot):
    procurement = failed_lot("procurement")
    Rule.objects.filter(market_id="construction", code=RuleCode.ARCHIVE_RETENTION).update(amount=12)
    construction = failed_lot("construction")
    archive_sweep()
    for lot, years in ((procurement, 15), (construction, 12)):
        archive = LotArchive.objects.get(lot=lot)
        info = get_storage().stat(archive.storage_key)
        assert info.retain_until == archive.retain_until
        assert timedelta(0) <= archive.retain_until - years_after(archive.sealed_at, years) < timedelta(seconds=1)
        with pytest.raises(StorageError) as refused:
            get_storage().delete(archive.storage_key)
        assert refused.value.code == "retained"


def years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def test_a_document_that_is_not_what_was_stored_stops_the_sealing_until_it_is(failed_lot, caplog):
    lot = failed_lot()
    document = LotDocument.objects.get(lot=lot)
    storage = get_storage()
    storage.put(document.storage_key, io.BytesIO(b"%PDF-1.7 replaced"), content_type="application/pdf")
    assert archive_sweep() == {"sealed": 0, "failed": 1}
    assert "招标文件.pdf" in caplog.text and not LotArchive.objects.exists()
    assert not AuditEntry.objects.filter(kind="archive.sealed").exists()
    storage.put(document.storage_key, io.BytesIO(TENDER_DOCUMENT), content_type="application/pdf")
    assert archive_sweep() == {"sealed": 1, "failed": 0}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lot_another_sweep_holds_is_skipped_not_waited_for(failed_lot):
    lot = failed_lot()
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Lot.objects.select_for_update().get(pk=lot.pk)
                held.set()
                release.wait(60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        assert archive_sweep() == {"sealed": 0, "failed": 0}
    finally:
        release.set()
        holder.join(30)
    assert archive_sweep() == {"sealed": 1, "failed": 0}


class _Zeros(io.RawIOBase):
    """``size`` bytes of a repeating pattern, produced as they are read."""

    def __init__(self, size: int):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = (b"0123456789abcdef" * (n // 16 + 1))[:n]
        self.left -= n
        return n


def test_a_large_document_streams_through_in_bounded_memory(failed_lot, settings, tmp_path):
    settings.S3_ENDPOINT_URL = None
    settings.PLATFORM_STORAGE_DIR = tmp_path / "objects"
    size = 64 << 20
    lot = failed_lot(document=("施工图纸.pdf", io.BufferedReader(_Zeros(size)), size))
    tracemalloc.start()
    try:
        archive = lot_archive_seal(lot_id=lot.pk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert archive.size > size
    assert peak < 16 << 20, f"{peak} bytes at the peak for a {size}-byte document"

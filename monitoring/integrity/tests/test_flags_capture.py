"""What the red flags read, captured where it arises: each bid's address and device at submission,
and each opened file's document metadata at the opening."""
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from rest_framework.test import APIClient

from bidding.crypto import receipts
from bidding.crypto.envelope import FileEntry
from bidding.sealed import docmeta
from bidding.sealed.docmeta import EnvelopeFiles, MetaBuffer, document_meta
from bidding.sealed.models import Bid, BidOpening
from bidding.sealed.services.bids import origin_clean
from trading import signing
from trading.services.registrations import registration_create

from .flags_helpers import bidders, docx, envelope, lot_open, pdf, sealed_lot, submit

FINGERPRINT = hashlib.sha256(b"a device").hexdigest()


@pytest.mark.parametrize("given, kept", [
    (("198.51.100.23", FINGERPRINT), ("198.51.100.23", FINGERPRINT)),
    ((" 2001:db8::1 ", FINGERPRINT.upper()), ("2001:db8::1", "")),
    (("::ffff:198.51.100.23", FINGERPRINT[:63]), ("198.51.100.23", "")),
    (("fe80::1%eth0", FINGERPRINT + "0"), (None, "")),
    (("unknown", "not a fingerprint"), (None, "")),
    ((None, None), (None, "")),
])
def test_the_origin_is_kept_only_when_well_formed(given, kept):
    assert origin_clean(client_ip=given[0], device_fingerprint=given[1]) == kept


@pytest.mark.django_db
def test_the_submission_api_keeps_the_address_and_the_device_and_never_refuses_for_them(
        make_lot, publish_sealed, bidder_a, bidder_b):
    lot = sealed_lot(make_lot, publish_sealed)
    api = APIClient()
    for user, header in ((bidder_a, FINGERPRINT), (bidder_b, "NOT-A-FINGERPRINT")):
        registration_create(lot_id=lot.pk, user=user)
        api.force_authenticate(user)
        response = api.post(reverse("api-bid-submit", args=[lot.pk]), data=envelope(lot, user, "900000.00"),
                            content_type="application/octet-stream", REMOTE_ADDR="198.51.100.23",
                            HTTP_X_DEVICE_FINGERPRINT=header, HTTP_X_FORWARDED_FOR="10.9.9.9")
        assert response.status_code == 201, response.json()
        # The bidder's own answer says nothing of either.
        assert "client_ip" not in response.json() and "device_fingerprint" not in response.json()
    kept = {bid.organisation_id: (bid.client_ip, bid.device_fingerprint) for bid in Bid.objects.filter(lot=lot)}
    # A forwarded-for header reaching Django is the client's claim: only the connection's address counts.
    assert kept == {bidder_a.organisation_id: ("198.51.100.23", FINGERPRINT),
                    bidder_b.organisation_id: ("198.51.100.23", "")}


def test_pdf_and_ooxml_metadata_and_nothing_from_anything_else():
    assert document_meta(pdf(author="王五", software="WPS Office", created="D:20261030090000+08'00'")) == {
        "format": "pdf", "author": "王五", "software": "WPS Office", "created": "2026-10-30T09:00:00+08:00"}
    assert document_meta(docx(author="李四", application="Microsoft Office Word", version="16.0000",
                              created="2026-10-01T08:00:00Z")) == {
        "format": "ooxml", "author": "李四", "software": "Microsoft Office Word 16.0000",
        "created": "2026-10-01T08:00:00Z"}
    assert document_meta(b"%PDF-1.7 not really a pdf") == {}
    assert document_meta(b"PK\x03\x04 not really a zip") == {}
    assert document_meta(b"plain text") == {}
    # A date pypdf cannot read is kept as written.
    assert document_meta(pdf(author="王五", software="WPS", created="yesterday"))["created"] == "yesterday"


def handmade_pdf(info: bytes, *extra: bytes) -> bytes:
    """A PDF written by hand, its information dictionary ``info`` as object 4."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", info, *extra]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_the_pdf_read_straight_from_the_trailer_agrees_with_the_full_parse_or_gives_way_to_it():
    written = pdf(author="李四", software="WPS Office", created="D:20261101093000+08'00'")
    direct = docmeta._pdf_info_direct(written)
    assert direct is not None and dict(direct) == dict(PdfReader(io.BytesIO(written)).metadata)
    # An incremental update appends a new dictionary: the last trailer's is the one that holds.
    updated = PdfWriter(io.BytesIO(written), incremental=True)
    updated.add_metadata({"/Author": "张三"})
    out = io.BytesIO()
    updated.write(out)
    assert document_meta(out.getvalue())["author"] == "张三"
    # A value by reference needs the cross-reference table: the full parse reads the file.
    indirect = handmade_pdf(b"<< /Author 5 0 R /Creator (Word) /CreationDate (D:20261101093000+08'00') >>",
                            b"(Someone)")
    assert docmeta._pdf_info_direct(indirect) is None
    assert document_meta(indirect) == {"format": "pdf", "author": "", "software": "Word",
                                       "created": "2026-11-01T09:30:00+08:00"}
    plain = handmade_pdf(b"<< /Author (Direct) /Producer (Writer 1.0) >>")
    assert document_meta(plain) == {"format": "pdf", "author": "Direct", "software": "Writer 1.0", "created": ""}


def test_an_ooxml_part_with_a_dtd_is_not_read():
    """Document properties never need a DTD: one is there only to expand entities (a "billion laughs")."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("docProps/core.xml", (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol "lol">]>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&lol;</dc:creator></cp:coreProperties>'))
    assert document_meta(out.getvalue()) == {}


def test_the_buffer_is_bounded_per_file_and_per_envelope():
    document = pdf(author="王五", software="WPS", created="D:20261030090000+08'00'")
    files = EnvelopeFiles(file_max=len(document), envelope_max=2 * len(document))
    entry = FileEntry("a.pdf", len(document), "0" * 64)
    sinks = [files(i, entry) for i in range(3)]
    # The third file is past the envelope's budget: only hashed.
    assert sinks[2] is None
    assert files(3, FileEntry("big.pdf", len(document) + 1, "0" * 64)) is None
    for sink in sinks[:2]:
        for start in range(0, len(document), 7):  # in small pieces, as segments may cut it
            sink.write(document[start:start + 7])
    assert [meta.get("author") for meta in files.metas(4)] == ["王五", "王五", None, None]
    other = MetaBuffer()
    other.write(b"GIF89a" + bytes(100))
    assert other.meta() == {}


@pytest.mark.django_db
def test_the_opening_keeps_each_files_metadata_and_the_public_record_does_not_show_it(
        make_lot, publish_sealed, make_person, custodians):
    lot = sealed_lot(make_lot, publish_sealed)
    people = bidders(make_person, 3)
    word = docx(author="李四", application="Microsoft Office Word", version="16.0000", created="2026-10-01T08:00:00Z")
    files = [("a.pdf", pdf(author="王五", software="WPS Office", created="D:20261030090000+08'00'")),
             ("b.docx", word), ("c.txt", b"%PDF-1.7 a broken file"), ("d.bin", os.urandom(1000))]
    start = lot.bid_deadline - timedelta(days=1)
    for n, user in enumerate(people):
        submit(lot, user, f"{900000 + 50000 * n * n}.00", files=files if n == 0 else [], ip="198.51.100.5",
               at=start + timedelta(hours=n))
    session = lot_open(lot, custodians)
    opening = BidOpening.objects.get(bid__lot=lot, bid__organisation=people[0].organisation)
    assert [file["meta"] for file in opening.files] == [
        {"format": "pdf", "author": "王五", "software": "WPS Office", "created": "2026-10-30T09:00:00+08:00"},
        {"format": "ooxml", "author": "李四", "software": "Microsoft Office Word 16.0000",
         "created": "2026-10-01T08:00:00Z"},
        {}, {}]
    assert [file["sha256"] for file in opening.files] == [hashlib.sha256(data).hexdigest() for _, data in files]
    body = receipts.signed_verify(session.record, "opening-record", signing.public_key())
    entry = next(entry for entry in body["bids"] if entry["bidder"] == people[0].organisation.uscc)
    assert entry["files"] == [{"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                              for name, data in files]
    text = str(session.record)
    assert "王五" not in text and "198.51.100.5" not in text


def test_the_command_line_fingerprint_is_stable_and_kept_in_the_config_dir(tmp_path):
    run = [sys.executable, "-m", "bidding.device", "--config-dir", str(tmp_path)]
    first = subprocess.run(run, capture_output=True, text=True, cwd=settings.BASE_DIR, env={"PATH": "/usr/bin:/bin"})
    again = subprocess.run(run, capture_output=True, text=True, cwd=settings.BASE_DIR, env={"PATH": "/usr/bin:/bin"})
    assert first.returncode == 0, first.stderr
    fingerprint = first.stdout.strip()
    assert again.stdout.strip() == fingerprint and origin_clean(client_ip=None, device_fingerprint=fingerprint)[1]
    kept = tmp_path / "platform-bidding" / "device-id"
    assert kept.stat().st_mode & 0o077 == 0
    kept.write_text("tampered\n")
    renewed = subprocess.run(run, capture_output=True, text=True, cwd=settings.BASE_DIR, env={"PATH": "/usr/bin:/bin"})
    assert renewed.stdout.strip() != fingerprint and len(kept.read_text().strip()) == 32

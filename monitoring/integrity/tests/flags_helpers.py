"""What the red flags' tests share: documents with chosen metadata, envelopes sealed for real, bids
submitted at chosen instants from chosen addresses and devices, and a lot opened by 2 of 3
custodians through the services."""
import hashlib
import io
import zipfile
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.conf import settings
from pypdf import PdfWriter

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start, share_present
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading.models import Lot
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create


def pdf(*, author: str, software: str, created: str, text: str = "") -> bytes:
    """A one-page PDF with an information dictionary; ``text`` (a page size) makes the bytes differ."""
    writer = PdfWriter()
    writer.add_blank_page(width=200 + len(text), height=300)
    writer.add_metadata({"/Author": author, "/Creator": software, "/CreationDate": created})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(*, author: str, application: str, version: str, created: str, body: str = "") -> bytes:
    """A minimal OOXML package with its core and app properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", f"<document>{body}</document>")
        archive.writestr("docProps/core.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:creator>{author}</dc:creator><cp:lastModifiedBy>某人</cp:lastModifiedBy>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created></cp:coreProperties>'))
        archive.writestr("docProps/app.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f'<Application>{application}</Application><AppVersion>{version}</AppVersion></Properties>'))
    return out.getvalue()


def envelope(lot, user, price: str, files=()) -> bytes:
    out = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=user.organisation.uscc,
         price_form={"price": price, "period_days": 180, "items": {}},
         files=[(name, io.BytesIO(data), len(data)) for name, data in files], out=out)
    return out.getvalue()


def submit(lot, user, price: str, *, files=(), ip=None, device=None, at=None):
    """Register ``user``'s organisation and submit its sealed bid, at ``at`` (default: now) from
    address ``ip`` with device fingerprint ``device``, as the submission API passes them on."""
    registration_create(lot_id=lot.pk, user=user)
    data = envelope(lot, user, price, files)
    with time_machine.travel(at, tick=False) if at else nullcontext():
        return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data), client_ip=ip,
                          device_fingerprint=device)


def bidders(make_person, count: int, prefix: str = "bidder") -> list:
    return [make_person(f"{prefix}_{n}", ["bidder"], organisation=f"{prefix}第{n}投标有限公司")
            for n in range(1, count + 1)]


def sealed_lot(make_lot, publish_sealed, **fields) -> Lot:
    """A construction lot (open tender, no deposit) published now with bids due in 25 days."""
    return publish_sealed(make_lot("construction", deposit=Decimal("0"), **fields))


def lot_open(lot, custodians):
    """Close bidding at the deadline and open the bids with 2 of the 3 custodians' shares."""
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
    with time_machine.travel(lot.bid_deadline + timedelta(minutes=5), tick=False):
        session = opening_start(lot_id=lot.pk, actor="user:1")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    lot.refresh_from_db()
    return session


COLLUDED = {"author": "王五", "software": "WPS Office", "created": "D:20261030090000+08'00'"}


def device(n: int) -> str:
    return hashlib.sha256(f"device {n}".encode()).hexdigest()


def after_opening(lot):
    """The sweeps run a little after the opening, as the platform's timed sweeps would."""
    return time_machine.travel(lot.bid_deadline + timedelta(minutes=10), tick=False)


def collusion_lot(make_lot, publish_sealed, make_person, custodians):
    """The seeded collusion: three bidders from one address, each with a PDF of the same author,
    software and creation time (different content), at prices 20,000 apart, submitted ten minutes
    apart on different devices; opened. Returns the lot and its bids."""
    lot = sealed_lot(make_lot, publish_sealed)
    people = bidders(make_person, 3, "colluder")
    start = lot.bid_deadline - timedelta(days=2)
    bids = [submit(lot, user, price, files=[(f"技术标{n}.pdf", pdf(**COLLUDED, text="x" * n))], ip="203.0.113.7",
                   device=device(n), at=start + timedelta(minutes=10 * n))
            for n, (user, price) in enumerate(zip(people, ["900000.00", "920000.00", "940000.00"]))]
    lot_open(lot, custodians)
    return lot, bids

"""What goes into a lot's archive (docs/archive.md "What is inside"), read from every app and
written member by member into an ``ArchiveWriter``.

Records are written as JSON, one file per part of the procedure, every column of every row that
belongs to the lot (foreign keys by id, ``parties.json`` naming the organisations and people they
point to). Signed documents (receipts, the opening record, the evaluation report, notices, the deal
confirmation, observation reports) go in as the files the platform issued, each checkable on its own
with ``python -m bidding.verify`` or ``python -m supervisors.verify``. Stored files (the tender
documents, report attachments) stream from the object store and are checked against the SHA-256
recorded when they were stored. Sealed envelopes are not copied: their hashes and receipts are.

Only reads; the caller holds the lot's lock."""
import json
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models

from bidding.crypto.archive import AUDIT_EXTRACT, ArchiveWriter
from bidding.crypto.canonical import b64url_encode, time_format
from bidding.evaluation.models import (AwardProposal, Candidate, CandidateObjection, Contract, Evaluation, ExpertDraw,
                                       Notice, PanelMember, ScoreChange, ScoreSheet)
from bidding.sales.models import (Auction, AuctionBid, AuctionBidder, DealConfirmation, Listing, ListingBidder,
                                  ListingQuote, SealedReserve)
from bidding.sealed.models import (Bid, BidCount, BidderRelease, BidOpening, HallCheckIn, HallPause, HallQuestion,
                                   OpeningResponse, OpeningSession, SharePresentation)
from monitoring.integrity.models import Flag, FlagCheck
from supervisors.models import (Assignment, Challenge, Complaint, LiaisonQuestion, ObservationReport, OfficialCheckIn,
                                SessionObjection, StopRequest)
from supervisors.sessions.selectors import report_file
from supervisors.sessions.services.reports import attachment_key
from trading.models import (Announcement, DeadlineExtension, Deposit, DocumentObjection, Enquiry, Lot, LotDocument,
                            LotHold, LotStatusChange, Organisation, Registration, User)
from trading.storage import get_storage

_USER_ACTOR = re.compile(r"user:([1-9][0-9]*)")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


class _Parties:
    """The organisations and people the rows point to, gathered while they are written."""

    def __init__(self):
        self.organisations: set[int] = set()
        self.users: set[int] = set()

    def seen(self, field: models.Field, value) -> None:
        if isinstance(field, models.ForeignKey) and value is not None:
            if field.related_model is Organisation:
                self.organisations.add(value)
            elif field.related_model is User:
                self.users.add(value)
        elif isinstance(value, str) and (match := _USER_ACTOR.fullmatch(value)):
            self.users.add(int(match[1]))

    def as_json(self) -> dict:
        organisations = Organisation.objects.filter(pk__in=self.organisations).order_by("pk")
        users = User.objects.filter(pk__in=self.users).order_by("pk")
        return {
            "organisations": [{"id": o.pk, "uscc": o.uscc, "name": o.name, "kind": o.kind} for o in organisations],
            "users": [{"id": u.pk, "username": u.username, "name": str(u),
                       "organisation_id": u.organisation_id} for u in users],
        }


def _value(value):
    if isinstance(value, datetime):
        return time_format(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return b64url_encode(bytes(value))
    return value


def _rows(rows: Iterable[models.Model], parties: _Parties, *, leave_out: tuple[str, ...] = ()) -> list[dict]:
    """Every column of each row but binary ones (key material, envelopes) and ``leave_out``."""
    out = []
    for row in rows:
        item = {}
        for field in row._meta.concrete_fields:
            if isinstance(field, models.BinaryField) or field.name in leave_out:
                continue
            value = getattr(row, field.attname)
            parties.seen(field, value)
            item[field.attname] = _value(value)
        out.append(item)
    return out


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _safe_name(name: str, fallback: str) -> str:
    safe = _UNSAFE.sub("_", name).strip().lstrip(".")
    return safe[:150] or fallback


def _unique(writer: ArchiveWriter, path: str, discriminator: object) -> str:
    if not writer.path_taken(path):
        return path
    folder, _sep, name = path.rpartition("/")
    return f"{folder}/{discriminator}-{name}"


def _part(writer: ArchiveWriter, path: str, sections: dict) -> None:
    """A JSON file of record rows, left out when every section is empty."""
    if any(sections.values()):
        writer.add(path, _json(sections))


def contents_write(writer: ArchiveWriter, *, lot: Lot, extract: dict) -> None:
    """Add the whole record of ``lot`` to ``writer``, then its audit extract."""
    parties = _Parties()
    project = lot.project
    writer.add("lot.json", _json({
        "lot": _rows([lot], parties)[0], "project": _rows([project], parties)[0],
        "market": {"code": project.market_id, "name": project.market.name},
        "procedure": {"code": project.procedure.code, "name": project.procedure.name},
        "status_changes": _rows(LotStatusChange.objects.filter(lot=lot).order_by("at", "pk"), parties),
        "holds": _rows(LotHold.objects.filter(lot=lot).order_by("held_at", "pk"), parties),
        "deadline_extensions": _rows(DeadlineExtension.objects.filter(lot=lot).order_by("extended_at", "pk"), parties),
    }))
    writer.add("announcements.json", _json({
        "announcements": _rows(Announcement.objects.filter(lot=lot).order_by("published_at", "pk"), parties)}))
    _documents(writer, lot=lot, parties=parties)
    _part(writer, "enquiries.json", {
        "enquiries": _rows(Enquiry.objects.filter(lot=lot).order_by("asked_at", "pk"), parties),
        "document_objections": _rows(DocumentObjection.objects.filter(lot=lot).order_by("filed_at", "pk"), parties)})
    _part(writer, "registrations.json", {
        "registrations": _rows(Registration.objects.filter(lot=lot).order_by("registered_at", "pk"), parties),
        "deposits": _rows(Deposit.objects.filter(registration__lot=lot).order_by("received_at", "pk"), parties)})
    _bids(writer, lot=lot, parties=parties)
    _opening(writer, lot=lot, parties=parties)
    _part(writer, "integrity/flags.json", {
        "checks": _rows(FlagCheck.objects.filter(lot=lot).order_by("checked_at", "pk"), parties),
        "flags": _rows(Flag.objects.filter(lot=lot).order_by("raised_at", "pk"), parties)})
    _evaluation(writer, lot=lot, parties=parties)
    _award(writer, lot=lot, parties=parties)
    _sale(writer, lot=lot, parties=parties)
    _part(writer, "complaints/complaints.json", {
        "challenges": _rows(Challenge.objects.filter(lot=lot).order_by("filed_at", "pk"), parties),
        "complaints": _rows(Complaint.objects.filter(lot=lot).order_by("filed_at", "pk"), parties)})
    _supervision(writer, lot=lot, parties=parties)
    writer.add("parties.json", _json(parties.as_json()))
    writer.add(AUDIT_EXTRACT, _json(extract))


def _documents(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    documents = list(LotDocument.objects.filter(lot=lot).order_by("name", "version", "pk"))
    rows = _rows(documents, parties)
    storage = get_storage()
    for document, row in zip(documents, rows):
        path = _unique(writer, f"documents/v{document.version}/{_safe_name(document.name, 'document')}", document.pk)
        with storage.get(document.storage_key) as stored:
            writer.add(path, stored, size=document.size, sha256=document.sha256)
        row["archive_path"] = path
    _part(writer, "documents.json", {"documents": rows})


def _bids(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    bids = list(Bid.objects.filter(lot=lot).order_by("received_at", "pk"))
    # The envelopes stay sealed in the store (under their own retention): their hashes, sizes and
    # signed receipts are the record.
    _part(writer, "bids/bids.json", {
        "bids": _rows(bids, parties, leave_out=("receipt", "storage_key")),
        "count_at_deadline": _rows(BidCount.objects.filter(lot=lot), parties),
        "openings": _rows(BidOpening.objects.filter(bid__lot=lot).order_by("bid__received_at", "pk"), parties)})
    for bid in bids:
        writer.add(f"bids/receipts/{bid.receipt_id}.json", _json(bid.receipt))


def _opening(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    session = OpeningSession.objects.filter(lot=lot).first()
    if session is None:
        return
    # The hall (docs/opening-hall.md): who checked in, who released their part (the parts themselves
    # were erased at the opening), every pause and question; the signed minutes beside the record.
    writer.add("opening/session.json", _json({
        "session": _rows([session], parties, leave_out=("record", "minutes"))[0],
        "check_ins": _rows(HallCheckIn.objects.filter(lot=lot).order_by("at", "pk"), parties),
        "shares_presented": _rows(SharePresentation.objects.filter(session=session).order_by("presented_at", "pk"),
                                  parties, leave_out=("share_cipher",)),
        "releases": _rows(BidderRelease.objects.filter(session=session).order_by("released_at", "pk"), parties,
                          leave_out=("part_cipher",)),
        "pauses": _rows(HallPause.objects.filter(session=session).order_by("paused_at", "pk"), parties),
        "questions": _rows(HallQuestion.objects.filter(session=session).order_by("at", "pk"), parties),
        "responses": _rows(OpeningResponse.objects.filter(session=session).order_by("at", "pk"), parties)}))
    for document in (session.record, session.minutes):
        if document:
            kind = _safe_name(str(document.get("document", {}).get("kind", "")), "record")
            writer.add(f"opening/{kind}.json", _json(document))


def _evaluation(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    evaluation = Evaluation.objects.filter(lot=lot).first()
    if evaluation is None:
        return
    writer.add("evaluation/evaluation.json", _json({
        "evaluation": _rows([evaluation], parties, leave_out=("report",))[0],
        "draws": _rows(ExpertDraw.objects.filter(evaluation=evaluation).order_by("at", "pk"), parties),
        "members": _rows(PanelMember.objects.filter(evaluation=evaluation).order_by("pk"), parties),
        "sheets": _rows(ScoreSheet.objects.filter(member__evaluation=evaluation).order_by("member", "pk"), parties),
        "sheet_changes": _rows(ScoreChange.objects.filter(sheet__member__evaluation=evaluation).order_by("at", "pk"),
                               parties),
        "candidates": _rows(Candidate.objects.filter(evaluation=evaluation).order_by("rank"), parties),
        "candidate_objections": _rows(CandidateObjection.objects.filter(lot=lot).order_by("filed_at", "pk"), parties),
    }))
    if evaluation.report:
        writer.add("evaluation/evaluation-report.json", _json(evaluation.report))


def _award(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    proposals = list(AwardProposal.objects.filter(lot=lot).order_by("proposed_at", "pk"))
    if not proposals:
        return
    notices = list(Notice.objects.filter(proposal__lot=lot).order_by("issued_at", "pk"))
    writer.add("award/award.json", _json({
        "proposals": _rows(proposals, parties),
        "notices": _rows(notices, parties, leave_out=("document",)),
        "contracts": _rows(Contract.objects.filter(proposal__lot=lot).order_by("pk"), parties)}))
    for notice in notices:
        writer.add(f"award/notices/{notice.pk}-{notice.kind}.json", _json(notice.document))


def _sale(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    listing = Listing.objects.filter(lot=lot).first()
    auction = Auction.objects.filter(lot=lot).first()
    deal = DealConfirmation.objects.filter(lot=lot).first()
    _part(writer, "sale/sale.json", {
        "listing": _rows([listing], parties) if listing else [],
        "listing_bidders": _rows(ListingBidder.objects.filter(listing__lot=lot).order_by("number"), parties),
        "listing_quotes": _rows(ListingQuote.objects.filter(listing__lot=lot).order_by("position"), parties),
        "sealed_reserve": _rows(SealedReserve.objects.filter(lot=lot), parties),
        "auction": _rows([auction], parties) if auction else [],
        "auction_bidders": _rows(AuctionBidder.objects.filter(auction__lot=lot).order_by("number"), parties),
        "auction_bids": _rows(AuctionBid.objects.filter(auction__lot=lot).order_by("position"), parties),
        "deal_confirmation": _rows([deal], parties, leave_out=("document",)) if deal else []})
    if deal is not None:
        writer.add("sale/deal-confirmation.json", _json(deal.document))


def _supervision(writer: ArchiveWriter, *, lot: Lot, parties: _Parties) -> None:
    reports = list(ObservationReport.objects.filter(assignment__lot=lot).order_by("submitted_at", "pk"))
    _part(writer, "supervision/supervision.json", {
        "assignments": _rows(Assignment.objects.filter(lot=lot).order_by("assigned_at", "pk"), parties),
        "stop_requests": _rows(StopRequest.objects.filter(lot=lot).order_by("raised_at", "pk"), parties),
        "questions": _rows(LiaisonQuestion.objects.filter(lot=lot).order_by("asked_at", "pk"), parties),
        "objections": _rows(SessionObjection.objects.filter(lot=lot).order_by("at", "pk"), parties),
        "officials_present": _rows(OfficialCheckIn.objects.filter(lot=lot).order_by("at", "pk"), parties),
        "reports": _rows(reports, parties, leave_out=("payload", "signature"))})
    storage = get_storage()
    for report in reports:
        # The file ``python -m supervisors.verify report`` checks, byte for byte as people download it.
        writer.add(f"supervision/reports/{report.pk}.json", report_file(report=report))
        for item in report.attachments:
            path = _unique(writer, f"supervision/reports/{report.pk}/{_safe_name(item['name'], 'attachment')}",
                           item["sha256"][:12])
            with storage.get(attachment_key(lot_id=lot.pk, sha256=item["sha256"])) as stored:
                writer.add(path, stored, size=item["size"], sha256=item["sha256"])

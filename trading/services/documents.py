"""Tender documents of a lot: versioned uploads into object storage, and recorded downloads.

The file is streamed into storage before any row lock is taken (a large upload must not hold the
lot's lock), under a fresh key; the version number, the status check that counts and the audit event
are then written together under the lot's lock. An object whose row never commits is removed again.
"""
import hashlib
import logging
import uuid
from datetime import timedelta
from typing import BinaryIO

from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock
from trading.errors import TradingError
from trading.models import DocumentDownload, Lot, LotDocument, Role
from trading.selectors import registration_active
from trading.selectors_documents import UPLOAD_STATUSES, documents_on_sale
from trading.services.lots import lot_amend
from trading.services.moves import lot_lock
from trading.storage import StorageError, get_storage

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=5)
NAME_MAX = LotDocument._meta.get_field("name").max_length
# Room left in the 300-character storage key after "lots/<id>/documents/<uuid>/".
KEY_NAME_MAX = 120


class _HashingReader:
    """Passes reads through while hashing them, so the digest costs no second pass and no buffer."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TradingError("document_name_required", _("Give the document a name."))
    if len(name) > NAME_MAX:
        raise TradingError("document_name_too_long",
                           _("A document name has at most %(n)s characters.") % {"n": NAME_MAX})
    return name


def _key_for(lot_id: int, name: str) -> str:
    # The last segment becomes the file name browsers save; the uuid keeps every version apart.
    try:
        safe = get_valid_filename(name)[-KEY_NAME_MAX:]
    except SuspiciousFileOperation:  # the name reduces to nothing, "." or ".."
        safe = ""
    return f"lots/{lot_id}/documents/{uuid.uuid4().hex}/{safe.lstrip('.') or 'document'}"




def _upload_allowed(lot: Lot) -> None:
    if lot.status not in UPLOAD_STATUSES:
        raise TradingError("documents_frozen",
                           _("Documents can no longer change: bidding on this lot has closed."), status=409)


def document_upload(*, lot_id: int, name: str, stream: BinaryIO, content_type: str, actor: str,
                    length: int | None = None, amend: bool = False, title: str = "", body: str = "",
                    bid_deadline=None) -> LotDocument:
    """Store the next version of the document ``name`` of a lot (staff only; callers check the role).

    While the lot is published or open for bids, bidders may already hold an earlier version: pass
    ``amend=True`` with the amendment's ``title`` and ``body`` (and a later ``bid_deadline`` where
    the rule table needs one) to publish it in the same transaction as the new version.
    """
    name = _name_clean(name)
    if amend and not (title or "").strip():
        raise TradingError("amendment_title_required", _("An amendment needs a title."))
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise TradingError("lot_not_found", _("There is no such lot."), status=404)
    _upload_allowed(lot)  # early, to spare streaming a body that would be refused; checked again below

    storage = get_storage()
    key = _key_for(lot_id, name)
    reader = _HashingReader(stream)
    info = storage.put(key, reader, length=length, content_type=content_type or "application/octet-stream")
    if info.size != reader.size:
        _discard(key)
        raise TradingError("document_incomplete", _("The upload did not arrive whole; send it again."))
    try:
        with transaction.atomic():
            lot = lot_lock(lot_id)
            _upload_allowed(lot)
            last = lot.documents.filter(name=name).order_by("-version").values_list("version", flat=True).first()
            document = LotDocument.objects.create(
                lot=lot, name=name, version=(last or 0) + 1, storage_key=key, size=info.size,
                sha256=reader.sha256.hexdigest(), content_type=info.content_type, uploaded_at=clock.now(),
                uploaded_by=actor,
            )
            amendment = None
            if amend:
                body = (body or "").strip() or str(
                    _("Version %(version)s of “%(name)s” replaces the earlier one.")
                    % {"version": document.version, "name": name})
                amendment = lot_amend(lot_id=lot_id, title=title.strip(), body=body, actor=actor,
                                      bid_deadline=bid_deadline)
            record(kind="document.uploaded", actor=actor, subject=f"lot:{lot_id}",
                   data={"document": document.pk, "name": name, "version": document.version,
                         "size": document.size, "sha256": document.sha256,
                         "amendment": amendment.pk if amendment else None})
    except BaseException:
        _discard(key)
        raise
    return document


def documents_carry_over(*, source: Lot, target: Lot, actor: str) -> list[LotDocument]:
    """Copy the newest version of each document of ``source`` into ``target``, as its version 1:
    the object itself is copied under ``target``'s own key (a lot's objects are its own, and the
    failed lot's stay as its bidders had them), checked against the recorded SHA-256 and size.

    Caller holds ``source``'s lock inside the transaction that made ``target``. A copy that fails
    removes what this call stored; a caller whose transaction fails afterwards removes the copies
    with ``documents_discard``.
    """
    storage = get_storage()
    newest = {}
    for document in LotDocument.objects.filter(lot=source).order_by("name", "-version"):
        newest.setdefault(document.name, document)
    copies, keys = [], []
    try:
        for document in newest.values():
            key = _key_for(target.pk, document.name)
            keys.append(key)
            with storage.get(document.storage_key) as chunks:
                reader = _HashingReader(chunks)
                info = storage.put(key, reader, length=document.size, content_type=document.content_type)
            if (reader.sha256.hexdigest(), info.size) != (document.sha256, document.size):
                raise TradingError("document_mismatch",
                                   _("The stored file of “%(name)s” does not match its record; nothing was "
                                     "carried over.") % {"name": document.name}, status=409)
            copy = LotDocument.objects.create(
                lot=target, name=document.name, version=1, storage_key=key, size=document.size,
                sha256=document.sha256, content_type=info.content_type, uploaded_at=clock.now(), uploaded_by=actor)
            record(kind="document.uploaded", actor=actor, subject=f"lot:{target.pk}",
                   data={"document": copy.pk, "name": copy.name, "version": copy.version, "size": copy.size,
                         "sha256": copy.sha256, "amendment": None, "carried_from": document.pk})
            copies.append(copy)
    except BaseException:
        for key in keys:
            _discard(key)
        raise
    return copies


def documents_discard(documents: list[LotDocument]) -> None:
    """Remove the stored objects of document rows that never committed."""
    for document in documents:
        _discard(document.storage_key)


def _discard(key: str) -> None:
    try:
        get_storage().delete(key)
    except StorageError:
        # Only an unreferenced object is left behind; the refusal the caller sees matters more.
        log.exception("could not remove the orphaned document object %s", key)


def document_download_link(*, document_id: int, user, ip: str | None) -> str:
    """Record a download of one document and return a link to it that lives ``LINK_LIFETIME``.

    Staff may always download. A bidder must belong to an organisation registered (and, where the
    procedure asks, approved) for the lot, and only while the documents are on sale. A refusal
    records nothing.
    """
    now = clock.now()
    document = LotDocument.objects.select_related("lot").filter(pk=document_id).first()
    if document is None:
        raise TradingError("document_not_found", _("There is no such document."), status=404)
    lot = document.lot
    organisation = getattr(user, "organisation", None)
    if not user.has_role(Role.STAFF):
        if not user.has_role(Role.BIDDER) or not registration_active(lot=lot, organisation=organisation):
            raise TradingError("not_registered",
                               _("Only bidders registered for this lot may download its documents."), status=403)
        if not documents_on_sale(lot=lot, now=now):
            raise TradingError("documents_not_on_sale",
                               _("The documents of this lot are not on sale at the moment."), status=409)
    with transaction.atomic():
        download = DocumentDownload.objects.create(document=document, user=user, organisation=organisation, at=now,
                                                   ip=ip or None)
        # Not a ``lot:`` event: the lot's live room must not learn who, or how many, took the
        # documents before the opening (招标投标法 Art 22); the event has a subject of its own.
        record(kind="document.downloaded", actor=WITHHELD_ACTOR, subject=f"download:{download.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "document": document.pk, "name": document.name, "version": document.version})
        return get_storage().presigned_get(document.storage_key, expires=LINK_LIFETIME)

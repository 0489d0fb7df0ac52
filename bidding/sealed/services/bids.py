"""Submitting, replacing and withdrawing sealed bids.

The envelope streams into object storage through a form check (never its content); only when it is
all there is the lot locked, the deadline checked against the server clock at that moment, the bid
recorded with a signed receipt, and the stored bytes put under write-once retention until the
lot's archive date. Anything refused leaves nothing stored."""
import ipaddress
import logging
import re
import uuid
from datetime import datetime
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bidding.crypto import receipts
from bidding.crypto.canonical import time_format
from bidding.crypto.envelope import CheckingReader, EnvelopeError
from bidding.crypto.envelope_v2 import MAGIC as V2_MAGIC, CheckingReaderV2
from bidding.errors import BiddingError
from bidding.sealed.models import Bid, BidderKey, OpeningKey
from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock, signing
from trading.models import Lot, Registration, Role, User
from trading.money import yuan
from trading.services.notifications import notify
from trading.selectors_registrations import deposit_held
from trading.services.moves import lot_lock
from trading.storage import StorageError, get_storage

log = logging.getLogger(__name__)

# What the bidder is told when the envelope's form is wrong (the crypto module is Django-free).
ENVELOPE_MESSAGES = {
    "wrong_lot": _("This envelope was sealed for another lot: seal it again for this one."),
    "wrong_bidder": _("This envelope was sealed under another bidder: seal it under your organisation."),
    "wrong_platform": _("This envelope was sealed for another platform."),
    "too_large": _("The envelope is larger than the platform accepts (200 MiB of files)."),
    "wrong_bidder_key": _("This envelope's own lock is sealed to another key than the one registered for your "
                          "registration: seal it again with the registered key."),
}
# A device fingerprint is a SHA-256 in lowercase hex (bidding/static/bidding/device.js, bidding/device.py).
FINGERPRINT = re.compile(r"[0-9a-f]{64}")
ENVELOPE_MALFORMED = _("The file is not a well-formed sealed-bid envelope (%(detail)s): seal the bid again.")


def _envelope_refusal(error: EnvelopeError) -> BiddingError:
    return BiddingError(error.code, ENVELOPE_MESSAGES.get(error.code, ENVELOPE_MALFORMED % {"detail": error}))


class _Peeked:
    """A stream whose first bytes can be looked at before it is read (which lock the envelope has)."""

    def __init__(self, stream: BinaryIO):
        self._stream, self._head = stream, b""

    def peek(self, size: int) -> bytes:
        while len(self._head) < size:
            chunk = self._stream.read(size - len(self._head))
            if not chunk:
                break
            self._head += chunk
        return self._head[:size]

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._stream.read(size)


def archive_date(lot: Lot) -> datetime:
    """Sealed bids are kept write-once until this date: the bid deadline plus the retention years."""
    deadline = lot.bid_deadline
    try:
        return deadline.replace(year=deadline.year + settings.PLATFORM_BID_RETENTION_YEARS)
    except ValueError:  # 29 February
        return deadline.replace(year=deadline.year + settings.PLATFORM_BID_RETENTION_YEARS, day=28)


def _deadline_passed(lot: Lot, at: datetime) -> bool:
    return lot.status != Lot.Status.BIDDING or lot.bid_deadline is None or at >= lot.bid_deadline


def _refuse_late(lot: Lot) -> None:
    raise BiddingError(
        "deadline_passed",
        _("Bids for this lot closed at %(deadline)s (server time); nothing was stored.")
        % {"deadline": date_format(timezone.localtime(lot.bid_deadline), "Y-m-d H:i:s") if lot.bid_deadline else "-"},
        status=409,
    )


def registered_bidder_check(lot: Lot, user: User) -> None:
    """The user bids for an organisation registered (approved) for the lot with its deposit in."""
    if not user.has_role(Role.BIDDER) or user.organisation_id is None:
        raise BiddingError("not_bidder", _("Only a bidder acting for an organisation can submit a bid."), status=403)
    registration = Registration.objects.filter(lot=lot, organisation_id=user.organisation_id).first()
    if registration is None or registration.status != Registration.Status.APPROVED:
        raise BiddingError("not_registered", _("Your organisation is not registered for this lot."), status=403)
    if lot.deposit and deposit_held(registration=registration) is None:
        raise BiddingError("deposit_missing",
                           _("This lot requires a bid deposit of %(amount)s, which has not been received.")
                           % {"amount": yuan(lot.deposit)}, status=403)


def _eligibility_check(lot: Lot, user: User) -> None:
    registered_bidder_check(lot, user)
    if not OpeningKey.objects.filter(lot=lot).exists():
        raise BiddingError("no_opening_key", _("This lot has no opening key: it does not take sealed bids."),
                           status=409)


def origin_clean(*, client_ip: str | None, device_fingerprint: str | None) -> tuple[str | None, str]:
    """Where a bid came from, as stored: a well-formed IP address (else none), and the sealer's
    device fingerprint only as 64 lowercase hex digits (else blank). Neither ever refuses a bid:
    they are evidence for the integrity rules (docs/integrity.md), not a condition of bidding."""
    try:
        parsed = ipaddress.ip_address((client_ip or "").strip())
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address):
        # An IPv4 client seen through a dual-stack socket is that IPv4 address; a zone index
        # (fe80::1%eth0) names a link of the server's, not a client.
        parsed = parsed.ipv4_mapped or (None if parsed.scope_id else parsed)
    address = str(parsed) if parsed is not None else None
    fingerprint = (device_fingerprint or "").strip()
    return address, fingerprint if FINGERPRINT.fullmatch(fingerprint) else ""


def bid_submit(*, lot_id: int, user: User, stream: BinaryIO, length: int | None = None,
               client_ip: str | None = None, device_fingerprint: str | None = None) -> Bid:
    """Store and record a sealed envelope. ``client_ip`` (the connection's address) and
    ``device_fingerprint`` (what the sealer sent) are kept as ``origin_clean`` makes them."""
    lot = Lot.objects.filter(pk=lot_id).select_related("project").first()
    if lot is None:
        raise BiddingError("lot_not_found", _("There is no such lot."), status=404)
    if _deadline_passed(lot, clock.now()):
        _refuse_late(lot)
    _eligibility_check(lot, user)
    organisation = user.organisation
    storage = get_storage()
    key = f"bids/{lot.pk}/{uuid.uuid4().hex}.pbe"
    stream = _Peeked(stream)
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": organisation.uscc,
             "max_size": settings.PLATFORM_BID_MAX_BYTES}
    if stream.peek(4) == V2_MAGIC:
        # The bidder's own lock (docs/envelope.md, "Version 2"): sealed to the key registered for
        # this registration, compared by fingerprint while the bytes stream into storage.
        bidder_key = BidderKey.objects.filter(registration__lot=lot, registration__organisation=organisation).first()
        if bidder_key is None:
            raise BiddingError("no_bidder_key", _("This envelope carries a bidder's own lock, but no bidder key is "
                                                  "registered for your registration: register it, then seal again."),
                               status=409)
        reader = CheckingReaderV2(stream, bidder_key=bidder_key.fingerprint, **names)
        version = 2
    else:
        reader = CheckingReader(stream, **names)
        version = 1
    try:
        storage.put(key, reader, length=length, content_type="application/octet-stream")
    except EnvelopeError as error:  # found while streaming: the upload was abandoned, nothing stored
        raise _envelope_refusal(error) from None
    try:
        try:
            # The end of the form (the segments' total length) is known only once all was read.
            checked = reader.result()
        except EnvelopeError as error:
            raise _envelope_refusal(error) from None
        return _bid_record(lot_id=lot.pk, user=user, key=key, checked=checked, version=version,
                           origin=origin_clean(client_ip=client_ip, device_fingerprint=device_fingerprint))
    except BaseException:
        # Refused after the bytes were stored (malformed at the end, late, or the record failed):
        # they were not put under retention (the record's last step), so they go again.
        try:
            storage.delete(key)
        except StorageError:
            log.exception("could not remove the refused envelope %s", key)
        raise


def _bid_record(*, lot_id: int, user: User, key: str, checked, version: int, origin: tuple[str | None, str]) -> Bid:
    with transaction.atomic():
        lot = lot_lock(lot_id)
        received_at = clock.now()
        if _deadline_passed(lot, received_at):
            _refuse_late(lot)
        previous = (Bid.objects.select_for_update().filter(lot=lot, organisation_id=user.organisation_id,
                                                           status=Bid.Status.SEALED).first())
        if previous is not None:
            previous.retire_for_replacement()
            previous.closed_at = received_at
            previous.save()
        receipt_id = uuid.uuid4()
        receipt = receipts.receipt_sign(private_key=signing.private_key(), fields={
            "v": 1, "kind": "bid-receipt", "receipt": str(receipt_id), "platform": settings.PLATFORM_ID,
            "lot": str(lot.pk), "bidder": user.organisation.uscc, "envelope_sha256": checked.sha256,
            "envelope_size": checked.size, "received_at": time_format(received_at),
        })
        bid = Bid.objects.create(
            lot=lot, organisation_id=user.organisation_id, submitted_by=user, storage_key=key,
            envelope_sha256=checked.sha256, envelope_size=checked.size, received_at=received_at,
            receipt_id=receipt_id, receipt=receipt, retain_until=archive_date(lot), replaces=previous,
            client_ip=origin[0], device_fingerprint=origin[1], envelope_version=version,
        )
        get_storage().retain(key, until=bid.retain_until)
        # The bid's own subject names the bidder. Neither who bids nor how many do is told on the
        # lot before the deadline (招标投标法 Art 22); the opening states the count.
        record(kind="bid.sealed", actor=WITHHELD_ACTOR, subject=f"bid:{bid.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "receipt": str(receipt_id), "envelope_sha256": checked.sha256,
                     "replaces": previous.pk if previous else None, "envelope_version": version})
        notify(user=user, kind="bid.received", title=_("Your bid for %(lot)s was received"),
               body=_("Receipt %(receipt)s, envelope SHA-256 %(sha256)s. Keep the signed receipt."),
               params={"lot": lot.code, "receipt": str(receipt_id), "sha256": checked.sha256},
               link=reverse("bid-receipt", args=[lot.pk, bid.pk]))
    return bid


def bid_withdraw(*, bid_id: int, user: User) -> Bid:
    """Withdraw before the deadline. The envelope stays stored (under retention) with its receipt."""
    with transaction.atomic():
        bid = Bid.objects.filter(pk=bid_id, organisation_id=user.organisation_id).first()
        if bid is None:
            raise BiddingError("bid_not_found", _("There is no such bid of your organisation."), status=404)
        lot = lot_lock(bid.lot_id)
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        now = clock.now()
        if _deadline_passed(lot, now):
            _refuse_late(lot)
        if bid.status != Bid.Status.SEALED:
            raise BiddingError("bid_not_sealed", _("Only a sealed bid can be withdrawn."), status=409)
        bid.withdraw()
        bid.closed_at = now
        bid.save()
        record(kind="bid.withdrawn", actor=WITHHELD_ACTOR, subject=f"bid:{bid.pk}",
               data={"by": actor_of(user), "lot": lot.pk, "receipt": str(bid.receipt_id)})
    return bid

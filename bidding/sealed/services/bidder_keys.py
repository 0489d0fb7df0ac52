"""The bidders' own keys (docs/bidder-keys.md): registering a key's public half with a registration,
replacing it before the bid deadline, and the key check that proves the bidder can still unlock it.

Events go under the registration's subject with the actor withheld (who bids is not told before
the opening), the person in the data, as trading's registration events do. Lock order: lot, then
registration, then the bidder key, then a challenge.
"""
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bidding.crypto import bidder_key as crypto
from bidding.crypto.canonical import b64url_encode
from bidding.crypto.envelope_v2 import key_fingerprint
from bidding.errors import BiddingError
from bidding.sealed.models import BidderKey, BidderKeyChallenge, OpeningKey
from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock
from trading.models import Lot, Registration, Role, User
from trading.services.deposits import registration_lock
from trading.services.moves import lot_lock

CHALLENGE_MINUTES = 10
# Every this many failed checks in a row, an event electronic supervision raises an alert on.
PROOF_FAILURES_ALERT = 3
KEY_FILE_MAX = 4096
LIVE = (Registration.Status.PENDING, Registration.Status.APPROVED)
# Failures the bidder's side reports instead of an answer: the passphrase did not unlock the key
# file, or the file unlocked is another key than the registered one.
REPORTED_FAILURES = {"wrong_passphrase", "wrong_key"}


@dataclass(frozen=True)
class Challenge:
    """An issued key check: what the bidder needs to answer it (the challenge itself is not kept)."""

    challenge_id: str
    platform: str
    lot: str
    bidder: str
    fingerprint: str
    sealed: bytes
    expires_at: object

    def as_file(self) -> dict:
        """The JSON the bidder's browser or ``python -m bidding.seal prove`` reads."""
        return {"kind": "bidder-key-challenge", "challenge": self.challenge_id, "platform": self.platform,
                "lot": self.lot, "bidder": self.bidder, "fingerprint": self.fingerprint,
                "sealed": b64url_encode(self.sealed), "expires_at": self.expires_at.isoformat()}


def registration_of_bidder(*, registration_id: int, user: User) -> Registration:
    """The registration, if ``user`` is a bidder of its organisation; else 403 (404 if none)."""
    registration = (Registration.objects.select_related("lot", "organisation")
                    .filter(pk=registration_id).first())
    if registration is None:
        raise BiddingError("registration_not_found", _("There is no such registration."), status=404)
    if not user.has_role(Role.BIDDER) or user.organisation_id != registration.organisation_id:
        raise BiddingError("not_your_registration",
                           _("Only the registered organisation's bidders manage its bidder key."), status=403)
    return registration


def _public_keys(*, key_file: str, encryption_public_key: str, signing_public_key: str) -> tuple[bytes, bytes, str]:
    """(encryption key, signing key, key file text) from what the bidder sent, or a clear refusal."""
    try:
        parsed = crypto.key_file_parse(key_file) if key_file else None
        encryption = crypto.public_key_parse(encryption_public_key) if encryption_public_key else None
        signing = crypto.public_key_parse(signing_public_key) if signing_public_key else None
    except crypto.KeyFileError as error:
        raise BiddingError("bad_bidder_key", _("This is not a bidder key of the platform's format (%(detail)s).")
                           % {"detail": error}) from None
    if parsed is not None:
        if (encryption or parsed.encryption_public_raw) != parsed.encryption_public_raw or (
                signing or parsed.signing_public_raw) != parsed.signing_public_raw:
            raise BiddingError("bad_bidder_key", _("The public keys given are not those of the key file."))
        return parsed.encryption_public_raw, parsed.signing_public_raw, key_file
    if encryption is None or signing is None:
        raise BiddingError("bad_bidder_key", _("Give the key file, or both public keys (encryption and signing)."))
    if encryption == signing:
        raise BiddingError("bad_bidder_key", _("The encryption key and the signing key must be two different keys."))
    return encryption, signing, ""


def _open_check(lot: Lot, registration: Registration) -> None:
    """Caller holds the lot's lock: keys are registered and replaced only before the bid deadline."""
    if registration.status not in LIVE:
        raise BiddingError("registration_not_live",
                           _("The registration is %(status)s: only a live registration holds a bidder key.")
                           % {"status": Registration.Status(registration.status).label}, status=409)
    if not OpeningKey.objects.filter(lot=lot).exists():
        raise BiddingError("no_opening_key", _("This lot has no opening key: it does not take sealed bids."),
                           status=409)
    if lot.status not in (Lot.Status.PUBLISHED, Lot.Status.BIDDING) or lot.bid_deadline is None \
            or clock.now() >= lot.bid_deadline:
        deadline = (date_format(timezone.localtime(lot.bid_deadline), "Y-m-d H:i:s") if lot.bid_deadline else "-")
        raise BiddingError("bidder_key_closed",
                           _("Bids for this lot closed at %(deadline)s (server time): a bidder key can no longer be "
                             "registered or replaced.") % {"deadline": deadline}, status=409)


def _refusal_recorded(registration: Registration, user: User, *, kind: str, **data) -> None:
    """On the record before the refusal that follows (electronic supervision reads it)."""
    with transaction.atomic():
        record(kind=kind, actor=WITHHELD_ACTOR, subject=f"registration:{registration.pk}",
               data={"lot": registration.lot_id, "registration": registration.pk, "by": actor_of(user), **data})


def bidder_key_register(*, registration_id: int, user: User, key_file: str = "", encryption_public_key: str = "",
                        signing_public_key: str = "") -> tuple[BidderKey, bool]:
    """Register (or, before the deadline, replace) the registration's bidder key: the key file as
    the bidder made it (its public keys are read from it), or only the two public keys. Returns the
    key and whether it replaced an earlier one. A key another organisation registered is refused."""
    registration = registration_of_bidder(registration_id=registration_id, user=user)
    if len(key_file) > KEY_FILE_MAX:
        raise BiddingError("bad_bidder_key", _("A key file is a few hundred bytes; this one is too large."))
    encryption, signing, text = _public_keys(key_file=key_file, encryption_public_key=encryption_public_key,
                                             signing_public_key=signing_public_key)
    fingerprint = key_fingerprint(encryption)
    if (BidderKey.objects.filter(fingerprint=fingerprint).exclude(registration__organisation_id=registration.organisation_id)
            .exists()):
        _refusal_recorded(registration, user, kind="bidder_key.refused", code="key_of_another_bidder",
                          fingerprint=fingerprint)
        raise BiddingError("key_of_another_bidder", _("This key is registered by another organisation: every bidder "
                                                      "makes its own key."), status=409)
    with transaction.atomic():
        lot = lot_lock(registration.lot_id)
        registration = registration_lock(registration.pk)
        _open_check(lot, registration)
        now = clock.now()
        existing = BidderKey.objects.select_for_update().filter(registration=registration).first()
        previous = existing.fingerprint if existing else None
        key = existing or BidderKey(registration=registration)
        key.encryption_public_key, key.signing_public_key, key.fingerprint = encryption, signing, fingerprint
        key.key_file, key.created_at, key.created_by = text, now, user
        key.last_proved_at, key.failed_proofs = None, 0
        key.save()
        record(kind="bidder_key.replaced" if existing else "bidder_key.registered", actor=WITHHELD_ACTOR,
               subject=f"registration:{registration.pk}",
               data={"lot": lot.pk, "registration": registration.pk, "by": actor_of(user), "fingerprint": fingerprint,
                     "signing_fingerprint": key_fingerprint(signing), "key_file": bool(text), "previous": previous})
    return key, existing is not None


def _key_locked(registration: Registration) -> BidderKey:
    """The registration's key, locked for the caller's transaction."""
    key = BidderKey.objects.select_for_update().filter(registration=registration).first()
    if key is None:
        raise BiddingError("no_bidder_key", _("No bidder key is registered for this registration yet."), status=404)
    return key


def bidder_key_challenge(*, registration_id: int, user: User) -> Challenge:
    """Issue a key check: 32 random bytes sealed (HPKE) to the registered encryption key, to be
    answered within ``CHALLENGE_MINUTES``. Only the answer's SHA-256 is stored."""
    registration = registration_of_bidder(registration_id=registration_id, user=user)
    names = {"platform": settings.PLATFORM_ID, "lot": str(registration.lot_id), "bidder": registration.organisation.uscc}
    challenge_id, answer = str(uuid.uuid4()), os.urandom(crypto.CHALLENGE_SIZE)
    now = clock.now()
    with transaction.atomic():
        key = _key_locked(registration)
        sealed = crypto.challenge_seal(challenge=answer, encryption_public_raw=bytes(key.encryption_public_key),
                                       info=crypto.challenge_info(challenge_id=challenge_id, **names))
        issued = BidderKeyChallenge.objects.create(
            bidder_key=key, challenge_id=challenge_id, fingerprint=key.fingerprint,
            answer_sha256=hashlib.sha256(answer).hexdigest(), issued_to=user, issued_at=now,
            expires_at=now + timedelta(minutes=CHALLENGE_MINUTES))
        record(kind="bidder_key.challenge_issued", actor=WITHHELD_ACTOR, subject=f"registration:{registration.pk}",
               data={"lot": registration.lot_id, "registration": registration.pk, "by": actor_of(user),
                     "challenge": challenge_id, "fingerprint": key.fingerprint})
    return Challenge(challenge_id=challenge_id, fingerprint=key.fingerprint, sealed=sealed,
                     expires_at=issued.expires_at, **names)


def _answer_right(key: BidderKey, challenge: BidderKeyChallenge, names: dict, answer: bytes, signature: bytes) -> bool:
    if not hmac.compare_digest(hashlib.sha256(answer).hexdigest(), challenge.answer_sha256):
        return False
    document = crypto.proof_document(challenge_id=str(challenge.challenge_id), answer=answer, **names)
    return crypto.signature_verify(signing_public_raw=bytes(key.signing_public_key), message=document,
                                   signature=signature)


def bidder_key_prove(*, registration_id: int, user: User, challenge_id: str, answer: bytes = b"",
                     signature: bytes = b"", failure: str = "") -> BidderKey:
    """Check the answer to a challenge: the opened challenge and the signing key's signature over
    the proof document (docs/bidder-keys.md). Right: the key is proved now. Wrong, or a failure the
    bidder's side reports (``REPORTED_FAILURES``), is
    recorded and refused; every ``PROOF_FAILURES_ALERT`` failures in a row raise an alert. A
    challenge is answered once."""
    registration = registration_of_bidder(registration_id=registration_id, user=user)
    if failure and failure not in REPORTED_FAILURES:
        raise BiddingError("bad_failure", _("Unknown failure: report wrong_passphrase or wrong_key, or send the answer."))
    try:
        challenge_uuid = uuid.UUID(str(challenge_id))
    except ValueError:
        raise BiddingError("challenge_not_found", _("There is no such key check."), status=404) from None
    names = {"platform": settings.PLATFORM_ID, "lot": str(registration.lot_id), "bidder": registration.organisation.uscc}
    now = clock.now()
    with transaction.atomic():
        key = _key_locked(registration)
        challenge = BidderKeyChallenge.objects.select_for_update().filter(bidder_key=key,
                                                                          challenge_id=challenge_uuid).first()
        if challenge is None:
            raise BiddingError("challenge_not_found", _("There is no such key check."), status=404)
        if challenge.answered_at is not None:
            raise BiddingError("challenge_used", _("This key check was answered already: start a new one."),
                               status=409)
        if now >= challenge.expires_at:
            raise BiddingError("challenge_expired", _("This key check has expired: start a new one."), status=409)
        if challenge.fingerprint != key.fingerprint:
            raise BiddingError("challenge_of_replaced_key",
                               _("This key check was for a key since replaced: start a new one."), status=409)
        right = not failure and _answer_right(key, challenge, names, answer, signature)
        challenge.answered_at, challenge.outcome = now, (BidderKeyChallenge.Outcome.PROVED if right
                                                         else BidderKeyChallenge.Outcome.FAILED)
        challenge.save(update_fields=["answered_at", "outcome"])
        base = {"lot": registration.lot_id, "registration": registration.pk, "by": actor_of(user),
                "challenge": str(challenge.challenge_id), "fingerprint": key.fingerprint}
        subject = f"registration:{registration.pk}"
        if right:
            key.last_proved_at, key.failed_proofs = now, 0
            key.save(update_fields=["last_proved_at", "failed_proofs"])
            record(kind="bidder_key.proved", actor=WITHHELD_ACTOR, subject=subject, data=base)
            return key
        key.failed_proofs += 1
        key.save(update_fields=["failed_proofs"])
        code = failure or "wrong_answer"
        record(kind="bidder_key.proof_failed", actor=WITHHELD_ACTOR, subject=subject,
               data={**base, "code": code, "failures": key.failed_proofs})
        if key.failed_proofs % PROOF_FAILURES_ALERT == 0:
            record(kind="bidder_key.proof_failed_repeatedly", actor=WITHHELD_ACTOR, subject=subject,
                   data={**base, "failures": key.failed_proofs})
    # Outside the transaction: the failure stays recorded, the caller is refused.
    if failure == "wrong_passphrase":
        raise BiddingError("wrong_passphrase", _("The passphrase does not unlock your key file. The failed check is "
                                                 "recorded; start a new one to try again."), status=403)
    raise BiddingError(code, _("The answer does not match: the key you unlocked is not the one registered for this "
                               "registration. The failed check is recorded."), status=403)

"""Building an opening hall in tests through the real services (docs/opening-hall.md): bidders' own
keys registered, v2 envelopes sealed with the Python sealer (what ``python -m bidding.seal seal
--v2`` runs), the key check a check-in answers, the bidder's side unlocking its part from its own
envelope's header, the custodians' shares, the confirmation signature, and the frozen clock moved."""
import io
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from bidding.crypto import bidder_key as crypto
from bidding.crypto.canonical import b64url_encode
from bidding.crypto.envelope_v2 import bidder_part_unlock
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal, seal_v2
from bidding.sealed.models import Bid, BidderKey, OpeningSession
from bidding.sealed.services.bidder_keys import bidder_key_challenge, bidder_key_register
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.hall import bid_header
from bidding.sealed.services.opening import record_sha256, share_present
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import clock
from trading.models import Lot, Registration, User
from trading.services.lots import lot_due_sweep
from trading.storage import get_storage

PASSPHRASE = "our company's bidding passphrase"
PROPOSAL = b"technical proposal " * 2000


def price_form(price: str) -> dict:
    return {"price": price, "period_days": 180, "items": {"quality": "合格"}}


def _names(lot: Lot, user: User) -> dict:
    return {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": user.organisation.uscc}


def envelope_v1(lot: Lot, user: User, price: str) -> bytes:
    """An envelope with the lot's lock only."""
    out = io.BytesIO()
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), price_form=price_form(price),
         files=[("proposal.pdf", io.BytesIO(PROPOSAL), len(PROPOSAL))], out=out, **_names(lot, user))
    return out.getvalue()


def envelope_v2(lot: Lot, user: User, price: str, bidder_public_key: ec.EllipticCurvePublicKey) -> bytes:
    """An envelope with the lot's lock and the bidder's own, sealed to ``bidder_public_key``."""
    out = io.BytesIO()
    seal_v2(lot_public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), bidder_public_key=bidder_public_key,
            price_form=price_form(price), files=[("proposal.pdf", io.BytesIO(PROPOSAL), len(PROPOSAL))], out=out,
            **_names(lot, user))
    return out.getvalue()


def submit(lot: Lot, user: User, data: bytes) -> Bid:
    return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


def stored_envelopes() -> set[str]:
    """Every object version under ``bids/`` in the session's S3 store (the tests' default storage)."""
    storage = get_storage()
    return {f"{o.object_name}@{o.version_id}" for o in
            storage._client.list_objects(storage.bucket, prefix="bids/", recursive=True, include_version=True)}


def key_register(user: User, registration: Registration, key_file: crypto.BidderKeyFile) -> BidderKey:
    key, _replaced = bidder_key_register(registration_id=registration.pk, user=user, key_file=key_file.text())
    return key


def key_check_answer(user: User, registration: Registration, unlocked: crypto.UnlockedBidderKey) -> dict:
    """A fresh key check answered by the bidder's side: the arguments ``hall_check_in`` takes."""
    issued = bidder_key_challenge(registration_id=registration.pk, user=user)
    answer, signature = crypto.proof_answer(unlocked=unlocked, sealed=issued.sealed, platform=issued.platform,
                                            lot=issued.lot, bidder=issued.bidder, challenge_id=issued.challenge_id)
    return {"challenge_id": issued.challenge_id, "answer": answer, "signature": signature}


def part_unlock(lot: Lot, user: User, unlocked: crypto.UnlockedBidderKey) -> bytes:
    """The bidder's side in the window: its envelope's header from the platform, its part unlocked."""
    _bid, header = bid_header(lot_id=lot.pk, user=user)
    return bidder_part_unlock(header=header, private_key=unlocked.encryption_private_key, **_names(lot, user))


def confirmation_signature(session: OpeningSession, user: User, unlocked: crypto.UnlockedBidderKey, *,
                           lot: str | None = None, digest: str | None = None) -> str:
    """The bidder's signature confirming the session's record (base64url ``r ‖ s``); ``lot`` or
    ``digest`` put another lot or record in the signed document."""
    document = crypto.confirmation_document(platform=settings.PLATFORM_ID, lot=lot or str(session.lot_id),
                                            bidder=user.organisation.uscc,
                                            record_sha256=digest or record_sha256(session))
    return b64url_encode(crypto.sign(unlocked.signing_private_key, document))


def clock_to(traveller, at: datetime) -> datetime:
    """Move the frozen clock (the ``time_machine`` fixture) to ``at``."""
    traveller.move_to(at, tick=False)
    return at


def clock_on(traveller, **delta) -> datetime:
    """Move the frozen clock on by ``timedelta(**delta)``; returns the new now."""
    return clock_to(traveller, clock.now() + timedelta(**delta))


def bidding_close(lot: Lot, traveller) -> Lot:
    """The clock to the bid deadline and the due sweep run: the lot is closed."""
    lot.refresh_from_db()
    clock_to(traveller, lot.bid_deadline)
    lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED
    return lot


def shares_present(session: OpeningSession, custodians) -> OpeningSession:
    for custodian in custodians:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    session.refresh_from_db()
    return session

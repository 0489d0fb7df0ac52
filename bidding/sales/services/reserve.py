"""The sealed reserve (底价) of a listing lot: sealed at entry to the lot's opening key in the bid
envelope format (bidder ``reserve``, no files, the price form's price), revealed at the result by
the same custodians' shares and online session as a tender's opening (``bidding.sealed.services.opening``).

The amount passes through the server once, in memory, as staff type it with the supervisor
present; it is never stored in the clear before the reveal. (Sealing it in the browser as bids are
would keep even that moment off the server; the witnessed entry was judged enough for the reserve,
which staff know anyway.)"""
import io
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.crypto.envelope import open_envelope
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.errors import BiddingError
from bidding.sales.models import SealedReserve
from bidding.sealed.models import OpeningKey, OpeningSession
from monitoring.events import record
from trading import clock
from trading.models import Lot, User
from trading.services.moves import lot_lock

RESERVE_BIDDER = "reserve"
SEALABLE = (Lot.Status.PUBLISHED, Lot.Status.LISTING)


def reserve_seal(*, lot_id: int, amount: Decimal, actor: str, witness: User) -> SealedReserve:
    """Seal the reserve. The caller (``supervisors.services``) has checked that ``witness`` is a
    supervisor assigned to the lot and present (their own password)."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        now = clock.now()
        if not lot.is_listing or lot.status not in SEALABLE or (lot.listing_end and lot.listing_end <= now):
            raise BiddingError("reserve_not_allowed", _("A reserve is sealed for a listing lot before its close."),
                               status=409)
        if SealedReserve.objects.filter(lot=lot).exists():
            raise BiddingError("reserve_sealed", _("This lot's reserve is sealed already."), status=409)
        opening_key = OpeningKey.objects.filter(lot=lot).first()
        if opening_key is None:
            raise BiddingError("no_opening_key", _("This lot has no opening key to seal its reserve to."), status=409)
        out = io.BytesIO()
        sealed = seal(public_key=public_key_load(bytes(opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
                      lot=str(lot.pk), bidder=RESERVE_BIDDER,
                      price_form={"price": str(amount), "period_days": 0, "items": {}}, files=[], out=out)
        reserve = SealedReserve.objects.create(lot=lot, envelope=out.getvalue(), envelope_sha256=sealed.sha256,
                                               entered_by=actor, witness=witness, entered_at=now)
        record(kind="listing.reserve_sealed", actor=actor, subject=f"lot:{lot.pk}",
               data={"envelope_sha256": sealed.sha256, "witness": witness.pk})
    return reserve


def reserve_reveal_start(*, lot: Lot, actor: str) -> OpeningSession:
    """The result needs the reserve: open a session in which the custodians present their shares.
    Caller holds the lot's lock."""
    session = OpeningSession.objects.create(lot=lot, started_at=clock.now(), started_by=actor)
    record(kind="session.started", actor=actor, subject="centre",
           data={"lot": lot.pk, "code": lot.code, "title": lot.display_title, "room": "opening"})
    record(kind="opening.reserve_reveal_started", actor=actor, subject=f"lot:{lot.pk}", data={"session": session.pk})
    return session


def reserve_open(*, lot: Lot, private_key) -> Decimal:
    """Open the sealed reserve with the rebuilt key (inside the session's decryption) and keep it."""
    reserve = SealedReserve.objects.select_for_update().get(lot=lot)
    opened = open_envelope(stream=io.BytesIO(bytes(reserve.envelope)), private_key=private_key,
                           platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=RESERVE_BIDDER,
                           envelope_sha256=reserve.envelope_sha256)
    reserve.revealed_price = Decimal(opened.price_form["price"])
    reserve.revealed_at = clock.now()
    reserve.save(update_fields=["revealed_price", "revealed_at"])
    return reserve.revealed_price

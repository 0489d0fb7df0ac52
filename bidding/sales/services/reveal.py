"""The reveal of a listing lot's sealed reserve at its online opening, and the sale it decides: the
opening (``bidding.sealed.services.opening``) rebuilds the lot's key with the custodians' shares and
hands it here (registered in ``bidding.apps``), since sales stand on sealed bidding."""
import hashlib

from django.conf import settings

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json, time_format
from bidding.sales.models import Listing
from bidding.sales.services.auctions import auction_decide
from bidding.sales.services.listings import listing_decide
from bidding.sales.services.reserve import reserve_open
from bidding.sealed.models import OpeningSession
from bidding.sealed.services.opening import RESERVE_KIND
from monitoring.events import record
from trading import clock, signing
from trading.models import Lot
from trading.services.moves import lot_lock


def reserve_reveal(*, session: OpeningSession, private_key, actor: str) -> None:
    """A listing lot's session opens its sealed reserve, publishes the signed record of it and
    decides the sale (the listing's or its auction's). Caller holds the session's lock."""
    lot = session.lot
    reserve = reserve_open(lot=lot, private_key=private_key)
    del private_key
    opened_at = clock.now()
    body = {"v": 1, "platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code,
            "opened_at": time_format(opened_at), "threshold": lot.opening_key.threshold,
            "custodians_present": sorted(session.presentations.values_list("custodian_id", flat=True)),
            "reserve": str(reserve), "bids": []}
    session.record = receipts.signed_document(RESERVE_KIND, body, signing.private_key())
    session.record_published_at = session.responses_until = opened_at
    session.publish_record()
    # Nothing to confirm in a reserve: the session closes with it (the lot moves by the sale below,
    # never to evaluation, so the opening's close sweep must not take it).
    session.close()
    session.closed_at = opened_at
    session.save()
    session.presentations.update(share_cipher=None)
    record(kind="opening.reserve_revealed", actor=actor, subject=f"lot:{lot.pk}",
           data={"reserve": str(reserve), "signature": session.record["signature"],
                 "record_sha256": hashlib.sha256(canonical_json(session.record["document"])).hexdigest()})
    if lot.status == Lot.Status.AUCTION:
        auction_decide(lot_id=lot.pk, reserve=reserve, actor=actor)
    else:
        lot = lot_lock(lot.pk)
        listing_decide(listing=Listing.objects.select_for_update().select_related("lot__project__market")
                       .get(lot=lot), reserve=reserve, actor=actor)

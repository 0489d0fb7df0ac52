"""The result of a sale (listing, live auction, descending auction): the deal confirmation (成交确认书)
and the lot awarded, or the lot unsold; either way the deposits no longer needed fall due for refund.

Every sale method ends here, in the caller's transaction (which holds the lot's or the auction's
lock), so the result, the lot's status, the deposits' refunds and their events commit together.
The deal confirmation is a signed document (the platform's Ed25519 key, as receipts and opening
records); its PDF is rendered from that document on demand, so the two can never disagree."""
import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json, time_format
from bidding.sales.models import DealConfirmation
from bidding.sealed.models import Bid
from monitoring.events import record
from trading import clock, signing
from trading.models import Lot, Organisation
from trading.numerals import amount_in_capitals
from trading.pdf import OfficialDocument
from trading.services.deposits import deposits_release_for_lot
from trading.services.moves import lot_transition

DEAL_KIND = "deal-confirmation"


def sale_sold(*, lot: Lot, organisation_id: int, number: int, price: Decimal, method: str, subject: str,
              actor: str, reserve: Decimal | None = None) -> DealConfirmation:
    """The lot is sold to ``organisation_id`` (bidder ``number``) at ``price``: the signed deal
    confirmation, the lot awarded, every other deposit released (the buyer's is kept until the
    contract). ``subject`` is the room that watched the sale, which hears every step."""
    now = clock.now()
    buyer = Organisation.objects.get(pk=organisation_id)
    body = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code, "lot_title": lot.title,
            "market": lot.project.market.code, "buyer": buyer.name, "buyer_uscc": buyer.uscc,
            "bidder_number": number, "price": str(price), "currency": lot.currency,
            "price_in_capitals": amount_in_capitals(price), "method": method, "issued_at": time_format(now)}
    if reserve is not None:
        body["reserve"] = str(reserve)
    deal = DealConfirmation.objects.create(
        lot=lot, organisation=buyer, bidder_number=number, price=price, method=method, issued_at=now,
        document=receipts.signed_document(DEAL_KIND, body, signing.private_key()))
    lot_transition(lot_id=lot.pk, transition="award", actor=actor,
                   data={"method": method, "price": str(price), "bidder": number})
    released = deposits_release_for_lot(lot_id=lot.pk, keep_organisation_ids=[organisation_id], actor=actor, at=now)
    record(kind="sale.deal_confirmed", actor=actor, subject=subject,
           data={"lot": lot.pk, "deal": deal.pk, "bidder": number, "price": str(price), "method": method,
                 "price_in_capitals": body["price_in_capitals"], "reserve": body.get("reserve"),
                 "signature": deal.document["signature"], "deposits_released": len(released)})
    return deal


def sale_one_shot(*, lot: Lot, entries: list[dict], actor: str) -> DealConfirmation | None:
    """A one-shot sealed quote (一次报价) is decided by its opening record: the highest valid quote
    buys — opened, and at or above the listing price (the lot's ``estimate``); equal quotes go to the
    one received first (the record lists bids in receipt order). The buyer's number is its bid's
    place in the record. No valid quote: unsold."""
    valid = [(Decimal(entry["price"]), place, entry) for place, entry in enumerate(entries, 1)
             if entry["status"] == Bid.Status.OPENED and Decimal(entry["price"]) >= lot.estimate]
    subject = f"lot:{lot.pk}"
    if not valid:
        sale_unsold(lot=lot, reason="no_valid_quote", subject=subject, actor=actor)
        return None
    price, place, entry = max(valid, key=lambda quote: (quote[0], -quote[1]))
    return sale_sold(lot=lot, organisation_id=Organisation.objects.get(uscc=entry["bidder"]).pk, number=place,
                     price=price, method=DealConfirmation.Method.ONE_SHOT, subject=subject, actor=actor)


def sale_unsold(*, lot: Lot, reason: str, subject: str, actor: str, reserve: Decimal | None = None) -> None:
    """Nobody bought the lot (no quote or bid, or none reached the reserve): it fails and every
    deposit falls due for refund (the move releases them, ``trading.services.moves.lot_move``)."""
    lot_transition(lot_id=lot.pk, transition="fail", actor=actor, data={"reason": reason})
    record(kind="sale.unsold", actor=actor, subject=subject,
           data={"lot": lot.pk, "reason": reason, "reserve": str(reserve) if reserve is not None else None})


def deal_confirmation_pdf(deal: DealConfirmation) -> bytes:
    """The deal confirmation as a PDF, in the official language, drawn from the signed document
    only; its footer carries the document's SHA-256 and signature, so a printed copy can be checked
    against the platform's key (``bidding.verify``)."""
    body = deal.document["document"]["body"]
    digest = hashlib.sha256(canonical_json(deal.document["document"])).hexdigest()
    method = DealConfirmation.Method(body["method"])
    with translation.override(settings.LANGUAGE_CODE):
        document = OfficialDocument(title=_("Deal confirmation"), number=f"{body['lot_code']}-CJ",
                                    issued_at=deal.issued_at, author=_("Public Resource Trading Platform"))
        document.add_rows([
            (_("Lot"), f"{body['lot_code']} {body['lot_title']}"),
            (_("Buyer"), body["buyer"]),
            (_("Unified social credit code"), body["buyer_uscc"]),
            (_("Bidder number"), str(body["bidder_number"])),
            (_("Method"), str(method.label)),
            (_("Price (yuan)"), f"{Decimal(body['price']):,.2f}"),
            (_("Price in capitals"), body["price_in_capitals"]),
            (_("Issued at"), timezone.localtime(deal.issued_at).strftime("%Y-%m-%d %H:%M:%S")),
        ])
        document.add_paragraph(_("The buyer above has bought this lot at the price above through the platform. "
                                 "The buyer signs the transfer contract with the seller within the period the "
                                 "announcement sets; the deposit counts towards the price."))
        document.add_footer_line(f"SHA-256 {digest}")
        document.add_footer_line(_("Signature (Ed25519): %(signature)s") % {"signature": deal.document["signature"]})
        return document.render()

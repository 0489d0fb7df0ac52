"""Reads of the bidders' own keys: a registration's key and how far it is checked."""
from dataclasses import dataclass

from bidding.sealed.models import BidderKey, OpeningKey
from trading.models import Registration

NONE, UNPROVED, PROVED = "none", "unproved", "proved"


@dataclass(frozen=True)
class BidderKeyState:
    """``state``: none (no key registered), unproved (registered but never checked, replaced since,
    or a check failed since the last success) or proved; ``key`` the key, if any."""

    registration: Registration
    key: BidderKey | None
    state: str

    @property
    def warns(self) -> bool:
        return self.state != PROVED


def bidder_key_state(*, registration: Registration) -> BidderKeyState:
    key = BidderKey.objects.filter(registration=registration).first()
    if key is None:
        return BidderKeyState(registration=registration, key=None, state=NONE)
    return BidderKeyState(registration=registration, key=key, state=PROVED if key.proved else UNPROVED)


def bidder_key_needed(*, registration: Registration | None) -> bool:
    """Whether the registration should hold a bidder key: a live one for a lot that takes sealed bids."""
    return (registration is not None
            and registration.status in (Registration.Status.PENDING, Registration.Status.APPROVED)
            and OpeningKey.objects.filter(lot_id=registration.lot_id).exists())

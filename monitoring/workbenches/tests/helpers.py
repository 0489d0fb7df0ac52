"""Building a bidder's part of a tender through the real services: registering, paying the deposit,
sealing and submitting a bid."""
import io
import re

from django.conf import settings

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.sealed.services.bids import bid_submit
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create


def register(lot, user, *, pay: bool = True):
    """Register the user's organisation for the lot; with ``pay`` staff record its deposit."""
    registration = registration_create(lot_id=lot.pk, user=user)
    if pay and lot.deposit:
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"BANK-{registration.pk}",
                        actor="user:1")
    return registration


def seal_and_submit(lot, user, *, price="950000.00"):
    """Seal a bid to the lot's opening key as the bidder's browser does, and submit it."""
    out, proposal = io.BytesIO(), b"technical proposal " * 200
    seal(public_key=public_key_load(bytes(lot.opening_key.public_key_raw)), platform=settings.PLATFORM_ID,
         lot=str(lot.pk), bidder=user.organisation.uscc, price_form={"price": price, "period_days": 90, "items": {}},
         files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
    data = out.getvalue()
    return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))


def section(page: str, testid: str) -> str:
    """The HTML of the page's ``<section data-testid=...>``."""
    match = re.search(rf'<section[^>]*data-testid="{testid}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {testid}"
    return match.group(1)


def nav_testids(page: str) -> list[str]:
    """The test ids of the header's links (its navigation is the page's first), in order."""
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S).group(1)
    return re.findall(r'<a [^>]*data-testid="([^"]+)"', nav)


def home_panel(user, language: str = "en") -> str:
    """The person's part of the home page, as the portal's home page includes it."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return render_to_string("monitoring/workbenches/_home_panel.html", request=request)

"""The demo's own pages, where the demo data is loaded (404 elsewhere).

- "Try it": what to do as each demo role, with the accounts, and links to the demo's moving parts
  (the opening due minutes after loading, with its countdown; the live auction; the awarded lot).
- "The bank", in the embedded mode only: a demo bidder pays a deposit as a bank transfer would, by
  the bank's notification, signed with the embedded mode's made-up secret and applied by the same
  service as the bank's endpoint (``deposit_bank_notify``), signature check included. Services mode
  has a real bank and a real secret: no page may sign with it."""
import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bidding.demo import (ACCOUNTS, BIDDER_KEY_PASSPHRASE, BIDDER_PASSWORD, BIDDERS, CUSTODIANS, EXPERTS, LISTED,
                          OPEN_FOR_BIDS, ORGANISATIONS, demo_loaded)
from bidding.demo_live import competitor_cap, demo_places
from trading import bank, clock
from trading.errors import TradingError
from trading.models import SECOND_FACTOR_ROLES, Lot, Role
from trading.selectors_registrations import registrations_awaiting_deposit
from trading.services.deposits import deposit_bank_notify

_SENT = "demo_bank_sent"  # the session's last notification, shown once after the redirect


def _demo_only() -> None:
    if not settings.PLATFORM_LOAD_DEMO or not demo_loaded():
        raise Http404


def try_page(request):
    _demo_only()
    places = demo_places()
    lots = {lot.project.code: lot for lot in Lot.objects.select_related("project")
            .filter(project__code__in=[OPEN_FOR_BIDS, LISTED])}
    auction, now = places.auction, clock.now()
    left = max(0, int((places.opening.bid_deadline - now).total_seconds())) if places.opening else 0
    return render(request, "monitoring/portal/try.html", {
        "accounts": [{"username": username, "password": password, "name": name,
                      "roles": [Role(role).label for role in roles], "code": bool(SECOND_FACTOR_ROLES & set(roles))}
                     for username, password, roles, name in ACCOUNTS],
        "bidders": [{"username": username, "company": ORGANISATIONS[organisation][0]}
                    for username, organisation, _ in BIDDERS],
        "bidder_password": BIDDER_PASSWORD, "bidder_key_passphrase": BIDDER_KEY_PASSPHRASE, "experts": [username for username, _, _ in EXPERTS],
        "custodians": CUSTODIANS, "places": places,
        "cap": competitor_cap(auction) if auction else None,
        "open_for_bids": lots.get(OPEN_FOR_BIDS), "listed": lots.get(LISTED),
        "bank": settings.PLATFORM_EMBEDDED, "codes": settings.PLATFORM_DEMO_CODES,
        "opening_seconds": left, "opening_clock": f"{left // 3600:02}:{left // 60 % 60:02}:{left % 60:02}",
    })


@require_http_methods(["GET", "POST"])
def bank_page(request):
    if not settings.PLATFORM_EMBEDDED:
        raise Http404
    _demo_only()
    user = request.user
    awaiting = (registrations_awaiting_deposit().filter(organisation_id=user.organisation_id)
                if user.is_authenticated and user.organisation_id else None)
    if request.method == "POST":
        registration = awaiting.filter(pk=request.POST.get("registration") or 0).first() if awaiting else None
        if registration is None:
            messages.error(request, _("Choose one of your company's registrations that awaits its deposit."))
            return redirect("demo-bank")
        body, signature = _notification(registration)
        try:
            deposit_bank_notify(body=body, signature=signature)
        except TradingError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The bank's notification was accepted: the deposit for %(lot)s is received.")
                             % {"lot": registration.lot.code})
        request.session[_SENT] = {"body": body.decode(), "signature": signature}
        return redirect("demo-bank")
    return render(request, "monitoring/portal/try_bank.html", {
        "awaiting": awaiting, "sent": request.session.pop(_SENT, None),
        "header": bank.SIGNATURE_HEADER,
    })


def _notification(registration) -> tuple[bytes, str]:
    """The body the bank would send for this deposit (docs/bank.md), and its signature header."""
    lot, now = registration.lot, timezone.localtime(clock.now())
    body = json.dumps({
        "nonce": secrets.token_urlsafe(16), "timestamp": now.isoformat(timespec="seconds"), "lot": lot.code,
        "uscc": registration.organisation.uscc, "amount": f"{lot.deposit:.2f}",
        "reference": f"DEMOBANK{now:%Y%m%d%H%M%S}{registration.pk:06d}",
    }, ensure_ascii=False, indent=2).encode()
    return body, bank.signature_compute(body=body, secret=settings.PLATFORM_BANK_HMAC_SECRET)

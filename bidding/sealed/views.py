"""Pages of sealed bidding: custodian keys, publishing a lot with its opening key, the bid page
and its printable receipts, the opening."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.crypto.opening_key import b64url
from bidding.errors import BiddingError
from bidding.sealed.forms import CustodianKeyForm, PublishSealedForm
from bidding.sealed.models import (
    Bid,
    BidderKey,
    CustodianKey,
    KeyShare,
    OpeningKey,
    OpeningResponse,
    OpeningSession,
)
from bidding.sealed.selectors import bid_of_organisation, bid_receipt_valid, hall_state
from bidding.sealed.services.bids import bid_withdraw
from bidding.sealed.services.keys import custodian_key_create, lot_publish_sealed
from bidding.sealed.services.opening import (
    opening_answer,
    opening_confirm,
    opening_object,
    opening_start,
    share_present,
)
from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import Lot, Registration, Role
from trading.permissions import PAGE_ROLES, role_required
from trading.selectors_registrations import deposit_held, registration_get_for_user


@login_required
def custodian_key(request):
    role_required(request.user, Role.CUSTODIAN)
    existing = CustodianKey.objects.filter(user=request.user).first()
    form = CustodianKeyForm(request.POST or None) if existing is None else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            custodian_key_create(user=request.user, passphrase=form.cleaned_data["passphrase"])
        except BiddingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your custodian key is made. Keep the passphrase: nobody can recover it."))
            return redirect("custodian-key")
    return render(request, "bidding/custodian_key.html", {"key": existing, "form": form})


@login_required
def lot_publish_page(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot.objects.select_related("project"), pk=lot_id, status=Lot.Status.PENDING_REVIEW)
    form = PublishSealedForm(request.POST or None, initial={"title": lot.display_title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot_publish_sealed(lot_id=lot.pk, title=data["title"], body=data["body"], actor=actor_of(request.user),
                               custodian_ids=[c.pk for c in data["custodians"]], threshold=data["threshold"])
        except (BiddingError, TradingError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Published with its opening key."))
            return redirect("staff-lot", lot_id=lot.pk)
    return render(request, "bidding/publish.html", {"lot": lot, "form": form})


@login_required
def bid_page(request, lot_id: int):
    """The bidder's sealed bid for a lot. What would refuse the bid at submission (registration,
    deposit) is said above the form; the ceiling is given to the browser, which warns before
    sealing a price over it (the price itself never reaches the server in clear)."""
    role_required(request.user, *PAGE_ROLES["bid-page"])
    lot = get_object_or_404(Lot.objects.select_related("project__market"), pk=lot_id)
    opening_key = OpeningKey.objects.filter(lot=lot).first()
    bids = Bid.objects.filter(lot=lot, organisation_id=request.user.organisation_id).select_related("organisation")
    current = next((bid for bid in bids if bid.status == Bid.Status.SEALED), None)
    open_now = opening_key is not None and lot.status == Lot.Status.BIDDING and clock.now() < lot.bid_deadline
    registration = registration_get_for_user(lot_id=lot.pk, user=request.user)
    return render(request, "bidding/bid.html", {
        "lot": lot, "bids": bids, "open": open_now, "sealed": current is not None, "current": current,
        "current_receipt_valid": bid_receipt_valid(bid=current) if current else None,
        "registration": registration,
        "deposit": deposit_held(registration=registration) if registration and lot.deposit else None,
        "ceiling": lot.price_ceiling,
        "platform": settings.PLATFORM_ID,
        "public_key": b64url(bytes(opening_key.public_key_raw)) if opening_key else "",
        "bidder_key": (b64url(bytes(registration.bidder_key.encryption_public_key))
                       if registration is not None and hasattr(registration, "bidder_key") else ""),
        "closed_reason": _("This lot does not take bids now."),
    })


@login_required
def bid_receipt_page(request, lot_id: int, bid_id: int):
    """The printable receipt (投标回执) of one of the organisation's bids. Another organisation's bid
    gets the same refusal as one that does not exist: who has bid is not told before the opening."""
    role_required(request.user, Role.BIDDER)
    bid = bid_of_organisation(lot_id=lot_id, bid_id=bid_id, organisation_id=request.user.organisation_id)
    if bid is None:
        raise PermissionDenied(_("A bid receipt is shown only to the organisation that submitted the bid, "
                                 "and this is not one of your organisation's bids."))
    return render(request, "bidding/bid_receipt.html", {
        "bid": bid, "lot": bid.lot, "signed": bid.receipt["receipt"], "signature": bid.receipt["signature"],
        "receipt_valid": bid_receipt_valid(bid=bid),
    })


@require_POST
@login_required
def bid_withdraw_view(request, lot_id: int, bid_id: int):
    role_required(request.user, Role.BIDDER)
    try:
        bid_withdraw(bid_id=bid_id, user=request.user)
    except BiddingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your bid is withdrawn; its envelope and receipt are kept."))
    return redirect("bid-page", lot_id=lot_id)


def opening_page(request, lot_id: int):
    """The opening of a lot and its live room (docs/rooms.md), which anyone may watch: custodians
    present shares here; the opening hall's bidders check in, unlock their bids, ask, confirm or
    object, and its host pauses, resumes and answers (their forms post through ``hall.js``; the
    room, from monitoring's ``opening_room_config`` tag, shows everyone the same steps)."""
    lot = get_object_or_404(Lot.objects.select_related("project", "opening_key"), pk=lot_id)
    if lot.status in (Lot.Status.DRAFT, Lot.Status.PENDING_REVIEW):
        raise Http404
    session = OpeningSession.objects.filter(lot=lot).first()
    user = request.user
    staff = user.is_authenticated and user.has_role(Role.STAFF)
    holds_share = user.is_authenticated and KeyShare.objects.filter(opening_key__lot=lot, custodian=user).exists()
    can_respond = (session is not None and session.status == OpeningSession.Status.RECORD_PUBLISHED
                   and user.is_authenticated and user.organisation_id is not None
                   and Bid.objects.filter(lot=lot, organisation_id=user.organisation_id).exists()
                   and clock.now() < session.responses_until)
    return render(request, "bidding/opening.html", {
        "lot": lot, "session": session,
        "can_start": staff and session is None and lot.status == Lot.Status.CLOSED,
        "can_present": holds_share and session is not None
        and session.status == OpeningSession.Status.COLLECTING_SHARES
        and not session.presentations.filter(custodian=user).exists(),
        "body": session.record["document"]["body"] if session and session.record else None,
        "responses": session.responses.select_related("organisation") if session else [],
        "can_respond": can_respond, "is_staff": staff,
        "hall_bidder": _hall_bidder(lot, user), "hall_host": staff and not lot.is_listing,
    })


def _hall_bidder(lot: Lot, user) -> dict | None:
    """The signed-in bidder's own part of the lot's opening hall, or None for anyone who takes no
    part in it: its approved registration, bidder key (whether the platform keeps its key file),
    check-in and locked bid."""
    if lot.is_listing or not (user.is_authenticated and user.has_role(Role.BIDDER)):
        return None
    registration = registration_get_for_user(lot_id=lot.pk, user=user)
    if registration is None or registration.status != Registration.Status.APPROVED:
        return None
    me = hall_state(lot=lot, check_in_from=None, organisation_id=user.organisation_id)["me"]
    return {"registration": registration, "key": BidderKey.objects.filter(registration=registration).first(), **me}


def _opening_action(request, lot_id: int, action) -> HttpResponse:
    try:
        action()
    except BiddingError as error:
        messages.error(request, error.message)
    return redirect("opening-page", lot_id=lot_id)


def _session_of(lot_id: int) -> OpeningSession:
    return get_object_or_404(OpeningSession, lot_id=lot_id)


@require_POST
@login_required
def opening_start_view(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    return _opening_action(request, lot_id, lambda: opening_start(lot_id=lot_id, actor=actor_of(request.user)))


@require_POST
@login_required
def opening_share_view(request, lot_id: int):
    session = _session_of(lot_id)
    return _opening_action(request, lot_id, lambda: share_present(
        session_id=session.pk, user=request.user, passphrase=request.POST.get("passphrase", "")))


@require_POST
@login_required
def opening_confirm_view(request, lot_id: int):
    session = _session_of(lot_id)
    return _opening_action(request, lot_id, lambda: opening_confirm(session_id=session.pk, user=request.user))


@require_POST
@login_required
def opening_object_view(request, lot_id: int):
    session = _session_of(lot_id)
    return _opening_action(request, lot_id, lambda: opening_object(session_id=session.pk, user=request.user,
                                                                   text=request.POST.get("text", "")))


@require_POST
@login_required
def opening_answer_view(request, lot_id: int, response_id: int):
    role_required(request.user, Role.STAFF)
    get_object_or_404(OpeningResponse, pk=response_id, session__lot_id=lot_id)
    return _opening_action(request, lot_id, lambda: opening_answer(
        response_id=response_id, answer=request.POST.get("answer", ""), actor=actor_of(request.user)))

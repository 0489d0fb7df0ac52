"""Pages of the sale methods: staff set up a listing lot's sale (terms, the witnessed reserve, a
live or descending auction); bidders quote on the listing page; anyone signed in reads the listing
and downloads a sold lot's deal confirmation (成交确认书) as a PDF; a live auction's page shows its
room (``auction_page``). Thin: writes are services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.errors import BiddingError
from bidding.sales.forms import AuctionForm, ListingTermsForm, QuoteForm, ReserveForm
from bidding.sales.models import Auction
from bidding.sales.selectors import deal_of_lot, listing_bidder_number, listing_state
from bidding.sales.services.auctions import auction_create
from bidding.sales.services.listings import listing_continue, listing_create, listing_quote
from bidding.sales.services.sales import deal_confirmation_pdf
from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import Lot, Role
from trading.money import yuan
from trading.permissions import role_required


def _lot(lot_id: int) -> Lot:
    lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)
    if not lot.is_listing:
        raise Http404
    return lot


def _staff_page(request, lot, *, terms=None, auction_form=None, status=200):
    return render(request, "bidding/staff_sale.html", {
        "lot": lot, "listing": listing_state(lot_id=lot.pk), "auction": Auction.objects.filter(lot=lot).first(),
        "deal": deal_of_lot(lot_id=lot.pk), "terms": terms or ListingTermsForm(),
        "auction_form": auction_form or AuctionForm(), "reserve_form": ReserveForm(),
    }, status=status)


@login_required
def staff_sale_page(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    return _staff_page(request, _lot(lot_id))


@require_POST
@login_required
def staff_listing_terms(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    lot = _lot(lot_id)
    form = ListingTermsForm(request.POST)
    if form.is_valid():
        try:
            listing_create(lot_id=lot.pk, actor=actor_of(request.user), **form.cleaned_data)
        except (BiddingError, TradingError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The listing terms are set."))
            return redirect("staff-sale", lot_id=lot.pk)
    return _staff_page(request, lot, terms=form, status=400)


@require_POST
@login_required
def staff_auction_create(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    lot = _lot(lot_id)
    form = AuctionForm(request.POST)
    if form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            auction = auction_create(lot_id=lot.pk, actor=actor_of(request.user), **data)
        except (BiddingError, TradingError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The auction is scheduled."))
            return redirect("auction-page", auction_id=auction.pk)
    return _staff_page(request, lot, auction_form=form, status=400)


def _listing_page(request, lot, *, form=None, error=None, status=200):
    user = request.user
    is_bidder = user.is_authenticated and user.has_role(Role.BIDDER)
    number, continues = listing_bidder_number(lot_id=lot.pk,
                                              organisation_id=user.organisation_id if is_bidder else None)
    listing = listing_state(lot_id=lot.pk)
    now = clock.now()
    quoting = (listing is not None and listing.status == listing.Status.QUOTING and lot.status == Lot.Status.LISTING
               and lot.listing_start <= now < lot.listing_end)
    return render(request, "bidding/listing.html", {
        "lot": lot, "listing": listing, "quoting": quoting, "number": number, "continues": continues,
        "is_bidder": is_bidder, "form": form or QuoteForm(), "error": error,
        "deal": deal_of_lot(lot_id=lot.pk),
    }, status=status)


def listing_page(request, lot_id: int):
    """The listing, public like the lot: the current price, the latest quotes by number, the period
    by server time; a bidder's quote box and their choice to continue to an auction."""
    return _listing_page(request, _lot(lot_id))


@require_POST
@login_required
def listing_quote_view(request, lot_id: int):
    lot = _lot(lot_id)
    form = QuoteForm(request.POST)
    if not form.is_valid():
        return _listing_page(request, lot, form=form, status=400)
    try:
        answer = listing_quote(lot_id=lot.pk, user=request.user, amount=form.cleaned_data["amount"])
    except BiddingError as error:
        return _listing_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("Your quote of %(price)s is accepted (No. %(position)d).")
                     % {"price": yuan(answer.price), "position": answer.position})
    return redirect("listing-page", lot_id=lot.pk)


@require_POST
@login_required
def listing_continue_view(request, lot_id: int):
    lot = _lot(lot_id)
    try:
        listing_continue(lot_id=lot.pk, user=request.user)
    except BiddingError as error:
        return _listing_page(request, lot, error=error.message, status=error.status)
    messages.success(request, _("Recorded: you will continue to a live auction if the listing ends contested."))
    return redirect("listing-page", lot_id=lot.pk)


@login_required
def deal_confirmation_download(request, lot_id: int):
    deal = deal_of_lot(lot_id=lot_id)
    if deal is None:
        raise Http404
    response = HttpResponse(deal_confirmation_pdf(deal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="deal-confirmation-{deal.lot.code}.pdf"'
    return response


def auction_page(request, auction_id: int):
    """A live auction: the current price, the countdown and the ladder with bidder numbers; a bidder's
    own bid box. Anyone may watch, signed in or not (the auction room's rule, monitoring's
    ``auction_room_config`` tag); only its bidders get the box."""
    auction = get_object_or_404(Auction.objects.select_related("lot__project"), pk=auction_id)
    return render(request, "bidding/auction.html", {"auction": auction})

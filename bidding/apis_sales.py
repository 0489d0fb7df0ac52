"""Listings, descending-auction acceptance and deal confirmations through the API. Every attempt
is answered: 201 with what was accepted, or 4xx with the reason's code and a translated message."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.selectors import deal_of_lot, listing_state
from bidding.serializers_sales import (
    AuctionAcceptAnswerSerializer,
    DealConfirmationSerializer,
    ListingContinueAnswerSerializer,
    ListingCreateSerializer,
    ListingQuoteAnswerSerializer,
    ListingQuoteSerializer,
    ListingSerializer,
)
from bidding.services.auctions import auction_accept
from bidding.services.listings import listing_continue, listing_create, listing_quote
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.permissions import IsBidderRole, IsStaffRole


def _listing(lot_id: int):
    listing = listing_state(lot_id=lot_id)
    if listing is None:
        raise Http404
    return listing


class ListingApi(APIView):
    """GET: the listing's state and latest quotes, public like the lot. POST: staff set the terms."""

    def get_permissions(self):
        return [IsStaffRole()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(responses={200: ListingSerializer, **ERRORS})
    def get(self, request, lot_id):
        return Response(ListingSerializer(_listing(lot_id)).data)

    @extend_schema(request=ListingCreateSerializer, responses={201: ListingSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing_create(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(ListingSerializer(_listing(lot_id)).data, status=201)


class ListingQuoteApi(APIView):
    permission_classes = [IsBidderRole]

    @extend_schema(request=ListingQuoteSerializer, responses={201: ListingQuoteAnswerSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = ListingQuoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = listing_quote(lot_id=lot_id, user=request.user, amount=data.validated_data["amount"])
        return Response(ListingQuoteAnswerSerializer(answer).data, status=201)


class ListingContinueApi(APIView):
    """The bidder's organisation will continue to a live auction should the listing end contested."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={201: ListingContinueAnswerSerializer, **ERRORS})
    def post(self, request, lot_id):
        bidder = listing_continue(lot_id=lot_id, user=request.user)
        return Response(ListingContinueAnswerSerializer(bidder).data, status=201)


class AuctionAcceptApi(APIView):
    """A descending auction: accept the price of this moment (server time). The first buys."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=None, responses={201: AuctionAcceptAnswerSerializer, **ERRORS})
    def post(self, request, auction_id):
        answer = auction_accept(auction_id=auction_id, user=request.user)
        return Response(AuctionAcceptAnswerSerializer(answer).data, status=201)


class DealConfirmationApi(APIView):
    """The deal confirmation (成交确认书) of a sold lot, signed; its PDF is at the lot's page."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: DealConfirmationSerializer, **ERRORS})
    def get(self, request, lot_id):
        deal = deal_of_lot(lot_id=lot_id)
        if deal is None:
            raise Http404
        return Response(DealConfirmationSerializer(deal).data)

"""The live auction through the API: staff set it up, bidders bid, anyone signed in reads it.
(The reserve price is never shown; the ladder names bidders by number only.)"""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from bidding.models import Auction
from bidding.serializers import (
    AuctionBidAnswerSerializer,
    AuctionBidSerializer,
    AuctionCreateSerializer,
    AuctionSerializer,
)
from bidding.services.auctions import auction_bid, auction_create
from monitoring.events import actor_of
from trading.apis_lots import ERRORS
from trading.permissions import IsBidderRole, IsStaffRole


# The ladder in the API is the latest bids only: a hot auction's readers poll it, and the whole
# ladder grows with every bid (the auction room's events carry every bid).
LADDER = 50


def _auction_data(auction_id: int) -> Auction:
    auction = get_object_or_404(Auction, pk=auction_id)
    auction.ladder = list(auction.bids.select_related("bidder").order_by("-position")[:LADDER])[::-1]
    return auction


class AuctionCreateApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(request=AuctionCreateSerializer, responses={201: AuctionSerializer, **ERRORS})
    def post(self, request, lot_id):
        data = AuctionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        auction = auction_create(lot_id=lot_id, actor=actor_of(request.user), **data.validated_data)
        return Response(AuctionSerializer(_auction_data(auction.pk)).data, status=201)


class AuctionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: AuctionSerializer, **ERRORS})
    def get(self, request, auction_id):
        return Response(AuctionSerializer(_auction_data(auction_id)).data)


class AuctionBidApi(APIView):
    """Every attempt is answered: 201 with the accepted price and position, or 4xx with the reason."""

    permission_classes = [IsBidderRole]

    @extend_schema(request=AuctionBidSerializer, responses={201: AuctionBidAnswerSerializer, **ERRORS})
    def post(self, request, auction_id):
        data = AuctionBidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = auction_bid(auction_id=auction_id, user=request.user, amount=data.validated_data["amount"])
        return Response(AuctionBidAnswerSerializer(answer).data, status=201)

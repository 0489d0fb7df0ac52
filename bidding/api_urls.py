from django.urls import path

from bidding import apis, apis_auctions, apis_sales

urlpatterns = [
    path("lots/<int:lot_id>/publish/", apis.LotPublishSealedApi.as_view(), name="api-lot-publish"),
    path("lots/<int:lot_id>/opening-key/", apis.OpeningKeyApi.as_view(), name="api-opening-key"),
    path("lots/<int:lot_id>/bids/", apis.BidSubmitApi.as_view(), name="api-bid-submit"),
    path("lots/<int:lot_id>/bids/mine/", apis.BidListMineApi.as_view(), name="api-bids-mine"),
    path("bids/<int:bid_id>/receipt/", apis.BidReceiptApi.as_view(), name="api-bid-receipt"),
    path("bids/<int:bid_id>/withdraw/", apis.BidWithdrawApi.as_view(), name="api-bid-withdraw"),
    path("custodian/key/", apis.CustodianKeyApi.as_view(), name="api-custodian-key"),
    path("lots/<int:lot_id>/opening/", apis.OpeningApi.as_view(), name="api-opening"),
    path("lots/<int:lot_id>/opening/start/", apis.OpeningStartApi.as_view(), name="api-opening-start"),
    path("lots/<int:lot_id>/opening/shares/", apis.OpeningShareApi.as_view(), name="api-opening-share"),
    path("lots/<int:lot_id>/opening/record/", apis.OpeningRecordApi.as_view(), name="api-opening-record"),
    path("lots/<int:lot_id>/opening/confirm/", apis.OpeningConfirmApi.as_view(), name="api-opening-confirm"),
    path("lots/<int:lot_id>/opening/objections/", apis.OpeningObjectApi.as_view(), name="api-opening-object"),
    path("opening-responses/<int:response_id>/answer/", apis.OpeningAnswerApi.as_view(), name="api-opening-answer"),
    path("lots/<int:lot_id>/auction/", apis_auctions.AuctionCreateApi.as_view(), name="api-auction-create"),
    path("auctions/<int:auction_id>/", apis_auctions.AuctionApi.as_view(), name="api-auction"),
    path("auctions/<int:auction_id>/bids/", apis_auctions.AuctionBidApi.as_view(), name="api-auction-bid"),
    path("auctions/<int:auction_id>/accept/", apis_sales.AuctionAcceptApi.as_view(), name="api-auction-accept"),
    path("lots/<int:lot_id>/listing/", apis_sales.ListingApi.as_view(), name="api-listing"),
    path("lots/<int:lot_id>/listing/quotes/", apis_sales.ListingQuoteApi.as_view(), name="api-listing-quote"),
    path("lots/<int:lot_id>/listing/continue/", apis_sales.ListingContinueApi.as_view(), name="api-listing-continue"),
    path("lots/<int:lot_id>/deal-confirmation/", apis_sales.DealConfirmationApi.as_view(),
         name="api-deal-confirmation"),
]

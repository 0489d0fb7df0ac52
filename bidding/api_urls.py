from django.urls import path

from bidding import apis

urlpatterns = [
    path("lots/<int:lot_id>/publish/", apis.LotPublishSealedApi.as_view(), name="api-lot-publish"),
    path("lots/<int:lot_id>/opening-key/", apis.OpeningKeyApi.as_view(), name="api-opening-key"),
    path("lots/<int:lot_id>/bids/", apis.BidSubmitApi.as_view(), name="api-bid-submit"),
    path("lots/<int:lot_id>/bids/mine/", apis.BidListMineApi.as_view(), name="api-bids-mine"),
    path("bids/<int:bid_id>/receipt/", apis.BidReceiptApi.as_view(), name="api-bid-receipt"),
    path("bids/<int:bid_id>/withdraw/", apis.BidWithdrawApi.as_view(), name="api-bid-withdraw"),
    path("custodian/key/", apis.CustodianKeyApi.as_view(), name="api-custodian-key"),
]

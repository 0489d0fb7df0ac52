from django.urls import path

from bidding import views, views_sales

urlpatterns = [
    path("custodian/key/", views.custodian_key, name="custodian-key"),
    path("staff/lots/<int:lot_id>/publish/", views.lot_publish_page, name="lot-publish-sealed"),
    path("lots/<int:lot_id>/bid/", views.bid_page, name="bid-page"),
    path("lots/<int:lot_id>/bid/<int:bid_id>/withdraw/", views.bid_withdraw_view, name="bid-withdraw"),
    path("lots/<int:lot_id>/opening/", views.opening_page, name="opening-page"),
    path("lots/<int:lot_id>/opening/start/", views.opening_start_view, name="opening-start"),
    path("lots/<int:lot_id>/opening/share/", views.opening_share_view, name="opening-share"),
    path("lots/<int:lot_id>/opening/confirm/", views.opening_confirm_view, name="opening-confirm"),
    path("lots/<int:lot_id>/opening/object/", views.opening_object_view, name="opening-object"),
    path("lots/<int:lot_id>/opening/responses/<int:response_id>/answer/", views.opening_answer_view,
         name="opening-answer"),
    path("auctions/<int:auction_id>/", views.auction_page, name="auction-page"),
    path("staff/lots/<int:lot_id>/sale/", views_sales.staff_sale_page, name="staff-sale"),
    path("staff/lots/<int:lot_id>/sale/listing/", views_sales.staff_listing_terms, name="staff-listing-terms"),
    path("staff/lots/<int:lot_id>/sale/auction/", views_sales.staff_auction_create, name="staff-auction-create"),
    path("lots/<int:lot_id>/listing/", views_sales.listing_page, name="listing-page"),
    path("lots/<int:lot_id>/listing/quote/", views_sales.listing_quote_view, name="listing-quote"),
    path("lots/<int:lot_id>/listing/continue/", views_sales.listing_continue_view, name="listing-continue"),
    path("lots/<int:lot_id>/deal-confirmation.pdf", views_sales.deal_confirmation_download,
         name="deal-confirmation-pdf"),
]

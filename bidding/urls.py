from django.urls import path

from bidding import views

urlpatterns = [
    path("custodian/key/", views.custodian_key, name="custodian-key"),
    path("staff/lots/<int:lot_id>/publish/", views.lot_publish_page, name="lot-publish-sealed"),
    path("lots/<int:lot_id>/bid/", views.bid_page, name="bid-page"),
    path("lots/<int:lot_id>/bid/<int:bid_id>/withdraw/", views.bid_withdraw_view, name="bid-withdraw"),
]

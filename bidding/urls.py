from django.urls import path

from bidding.evaluation import views as evaluation
from bidding.sales import views as sales
from bidding.sealed import views as sealed

urlpatterns = [
    path("custodian/key/", sealed.custodian_key, name="custodian-key"),
    path("staff/lots/<int:lot_id>/publish/", sealed.lot_publish_page, name="lot-publish-sealed"),
    path("lots/<int:lot_id>/bid/", sealed.bid_page, name="bid-page"),
    path("lots/<int:lot_id>/bid/<int:bid_id>/withdraw/", sealed.bid_withdraw_view, name="bid-withdraw"),
    path("lots/<int:lot_id>/bid/<int:bid_id>/receipt/", sealed.bid_receipt_page, name="bid-receipt"),
    path("lots/<int:lot_id>/opening/", sealed.opening_page, name="opening-page"),
    path("lots/<int:lot_id>/opening/start/", sealed.opening_start_view, name="opening-start"),
    path("lots/<int:lot_id>/opening/share/", sealed.opening_share_view, name="opening-share"),
    path("lots/<int:lot_id>/opening/confirm/", sealed.opening_confirm_view, name="opening-confirm"),
    path("lots/<int:lot_id>/opening/object/", sealed.opening_object_view, name="opening-object"),
    path("lots/<int:lot_id>/opening/responses/<int:response_id>/answer/", sealed.opening_answer_view,
         name="opening-answer"),
    path("auctions/<int:auction_id>/", sales.auction_page, name="auction-page"),
    path("staff/lots/<int:lot_id>/sale/", sales.staff_sale_page, name="staff-sale"),
    path("staff/lots/<int:lot_id>/sale/listing/", sales.staff_listing_terms, name="staff-listing-terms"),
    path("staff/lots/<int:lot_id>/sale/auction/", sales.staff_auction_create, name="staff-auction-create"),
    path("lots/<int:lot_id>/listing/", sales.listing_page, name="listing-page"),
    path("lots/<int:lot_id>/listing/quote/", sales.listing_quote_view, name="listing-quote"),
    path("lots/<int:lot_id>/listing/continue/", sales.listing_continue_view, name="listing-continue"),
    path("lots/<int:lot_id>/deal-confirmation.pdf", sales.deal_confirmation_download,
         name="deal-confirmation-pdf"),
    path("staff/lots/<int:lot_id>/evaluation/", evaluation.staff_evaluation_page, name="staff-evaluation"),
    path("staff/lots/<int:lot_id>/evaluation/<slug:action>/", evaluation.staff_evaluation_action,
         name="staff-evaluation-action"),
    path("panel/", evaluation.panel_mine, name="panel-mine"),
    path("panel/seats/<int:member_id>/answer/", evaluation.panel_answer, name="panel-answer"),
    path("panel/evaluations/<int:evaluation_id>/", evaluation.panel_scoring, name="panel-scoring"),
    path("lots/<int:lot_id>/open-objections/", evaluation.lot_open_objections, name="lot-open-objections"),
    path("review/awards/", evaluation.review_queue, name="review-queue"),
    path("review/awards/<int:proposal_id>/", evaluation.review_decide, name="review-decide"),
    path("lots/<int:lot_id>/result/", evaluation.lot_result, name="lot-result"),
    path("lots/<int:lot_id>/result/object/", evaluation.lot_result_object, name="lot-result-object"),
    path("evaluations/<int:evaluation_id>/report.pdf", evaluation.evaluation_report_download,
         name="evaluation-report-pdf"),
    path("notices/<int:notice_id>.pdf", evaluation.notice_download, name="notice-pdf"),
]

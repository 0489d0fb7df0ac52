from django.urls import path

from supervisors.regulation import apis

urlpatterns = [
    path("lots/<id:lot_id>/inquiries/", apis.LotInquiriesApi.as_view(), name="api-lot-inquiries"),
    path("inquiries/", apis.InquiryListApi.as_view(), name="api-inquiries"),
    path("inquiries/<id:inquiry_id>/answer/", apis.InquiryAnswerApi.as_view(), name="api-inquiry-answer"),
    path("lots/<id:lot_id>/suspension-orders/", apis.LotSuspensionOrderApi.as_view(),
         name="api-lot-suspension-orders"),
    path("suspension-orders/<id:hold_id>/lift/", apis.SuspensionLiftApi.as_view(), name="api-suspension-lift"),
    path("reports/", apis.ReportsApi.as_view(), name="api-reports"),
    path("reports/<id:report_id>/", apis.ReportApi.as_view(), name="api-report"),
    path("reports/<id:report_id>/triage/", apis.ReportTriageApi.as_view(), name="api-report-triage"),
    path("reports/<id:report_id>/answer/", apis.ReportAnswerApi.as_view(), name="api-report-answer"),
    path("reports/<id:report_id>/close/", apis.ReportCloseApi.as_view(), name="api-report-close"),
    path("reports/follow/<str:token>/", apis.ReportFollowApi.as_view(), name="api-report-follow"),
    path("reports/follow/<str:token>/rating/", apis.ReportRatingApi.as_view(), name="api-report-rating"),
]

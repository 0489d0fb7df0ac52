from django.urls import path

from supervisors.regulation import apis

urlpatterns = [
    path("lots/<int:lot_id>/inquiries/", apis.LotInquiriesApi.as_view(), name="api-lot-inquiries"),
    path("inquiries/", apis.InquiryListApi.as_view(), name="api-inquiries"),
    path("inquiries/<int:inquiry_id>/answer/", apis.InquiryAnswerApi.as_view(), name="api-inquiry-answer"),
    path("lots/<int:lot_id>/suspension-orders/", apis.LotSuspensionOrderApi.as_view(),
         name="api-lot-suspension-orders"),
    path("suspension-orders/<int:hold_id>/lift/", apis.SuspensionLiftApi.as_view(), name="api-suspension-lift"),
    path("reports/", apis.ReportsApi.as_view(), name="api-reports"),
    path("reports/<int:report_id>/", apis.ReportApi.as_view(), name="api-report"),
    path("reports/<int:report_id>/triage/", apis.ReportTriageApi.as_view(), name="api-report-triage"),
    path("reports/<int:report_id>/answer/", apis.ReportAnswerApi.as_view(), name="api-report-answer"),
    path("reports/<int:report_id>/close/", apis.ReportCloseApi.as_view(), name="api-report-close"),
    path("reports/follow/<str:token>/", apis.ReportFollowApi.as_view(), name="api-report-follow"),
    path("reports/follow/<str:token>/rating/", apis.ReportRatingApi.as_view(), name="api-report-rating"),
]

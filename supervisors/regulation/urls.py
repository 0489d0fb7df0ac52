from django.urls import path

from supervisors.regulation import views

urlpatterns = [
    path("report/", views.report_file, name="report-file"),
    path("report/filed/<str:token>/", views.report_filed, name="report-filed"),
    path("report/follow/<str:token>/", views.report_follow, name="report-follow"),
    path("report/follow/<str:token>/rate/", views.report_rate, name="report-rate"),
    path("regulator/reports/", views.regulator_reports, name="regulator-reports"),
    path("regulator/reports/<id:report_id>/", views.regulator_report, name="regulator-report"),
    path("regulator/reports/<id:report_id>/evidence/<int:index>/", views.regulator_report_evidence,
         name="regulator-report-evidence"),
    path("regulator/reports/<id:report_id>/<slug:step>/", views.regulator_report_step,
         name="regulator-report-step"),
    path("regulator/inquiries/", views.regulator_inquiries, name="regulator-inquiries"),
    path("regulator/lots/<id:lot_id>/", views.regulator_lot, name="regulator-lot"),
    path("regulator/lots/<id:lot_id>/inquiries/", views.regulator_inquiry_ask, name="regulator-inquiry-ask"),
    path("regulator/lots/<id:lot_id>/suspension/", views.regulator_suspension_order,
         name="regulator-suspension-order"),
    path("regulator/lots/<id:lot_id>/suspension/<id:hold_id>/lift/", views.regulator_suspension_lift,
         name="regulator-suspension-lift"),
    path("inquiries/", views.inquiries_mine, name="inquiries-mine"),
    path("inquiries/<id:inquiry_id>/", views.inquiry_detail, name="inquiry-detail"),
]

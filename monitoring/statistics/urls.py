from django.urls import path

from monitoring.statistics import views

urlpatterns = [
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/export.csv", views.statistics_csv, name="statistics-csv"),
    path("statistics/export.xlsx", views.statistics_xlsx, name="statistics-xlsx"),
    path("statistics/reports/", views.reports_page, name="statistics-reports"),
    path("statistics/reports/<id:report_id>/", views.report_page, name="statistics-report"),
    path("statistics/reports/<id:report_id>/pdf/", views.report_pdf, name="statistics-report-pdf"),
    path("statistics/reports/<id:report_id>/signed.json", views.report_signed, name="statistics-report-signed"),
    path("regulator/statistics/", views.regulator_statistics_page, name="regulator-statistics"),
    path("regulator/statistics/lots/", views.regulator_statistics_lots, name="regulator-statistics-lots"),
]

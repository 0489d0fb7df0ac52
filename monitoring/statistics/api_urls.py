from django.urls import path

from monitoring.statistics import apis

urlpatterns = [
    path("statistics/", apis.StatisticsApi.as_view(), name="api-statistics"),
    path("statistics/lots/", apis.StatisticsLotsApi.as_view(), name="api-statistics-lots"),
    path("statistics/reports/", apis.YearlyReportListApi.as_view(), name="api-statistics-reports"),
    path("statistics/reports/<id:report_id>/", apis.YearlyReportDetailApi.as_view(), name="api-statistics-report"),
]

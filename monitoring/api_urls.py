from django.urls import include, path

from monitoring.audit import apis

urlpatterns = [
    path("", include("monitoring.supervision.api_urls")),
    path("", include("monitoring.integrity.api_urls")),
    path("", include("monitoring.ratings.api_urls")),
    path("", include("monitoring.assessment.api_urls")),
    path("", include("monitoring.archive.api_urls")),
    path("", include("monitoring.statistics.api_urls")),
    path("audit/extract/", apis.AuditExtractApi.as_view(), name="api-audit-extract"),
]

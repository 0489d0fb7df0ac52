from django.urls import include, path

from monitoring.audit import apis

urlpatterns = [
    path("", include("monitoring.supervision.api_urls")),
    path("audit/extract/", apis.AuditExtractApi.as_view(), name="api-audit-extract"),
]

from django.urls import path

from monitoring.audit import apis

urlpatterns = [
    path("audit/extract/", apis.AuditExtractApi.as_view(), name="api-audit-extract"),
]

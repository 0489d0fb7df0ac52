from django.urls import include, path

from monitoring.audit import views as audit
from monitoring.live import views as live

urlpatterns = [
    path("", include("monitoring.portal.urls")),
    path("", include("monitoring.workbenches.urls")),
    path("", include("monitoring.supervision.urls")),
    path("", include("monitoring.integrity.urls")),
    path("", include("monitoring.ratings.urls")),
    path("", include("monitoring.assessment.urls")),
    path("", include("monitoring.archive.urls")),
    path("", include("monitoring.statistics.urls")),
    path(".well-known/platform-key", audit.platform_key, name="platform-key"),
    path("audit/", audit.audit_status_page, name="audit-status"),
    path("supervision/", live.dashboard_page, name="supervision-dashboard"),
]

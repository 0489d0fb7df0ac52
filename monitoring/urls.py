from django.urls import path

from monitoring import views

urlpatterns = [
    path(".well-known/platform-key", views.platform_key, name="platform-key"),
    path("audit/", views.audit_status_page, name="audit-status"),
    path("supervision/", views.dashboard_page, name="supervision-dashboard"),
]

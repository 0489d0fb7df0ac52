from django.urls import path

from monitoring.supervision import apis

urlpatterns = [
    path("alerts/", apis.AlertListApi.as_view(), name="api-alerts"),
    path("alerts/<id:alert_id>/", apis.AlertDetailApi.as_view(), name="api-alert"),
    path("alerts/<id:alert_id>/acknowledge/", apis.AlertAcknowledgeApi.as_view(), name="api-alert-acknowledge"),
]

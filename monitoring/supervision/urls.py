from django.urls import path

from monitoring.supervision import views

urlpatterns = [
    path("supervision/alerts/", views.alerts_page, name="supervision-alerts"),
    path("supervision/alerts/<id:alert_id>/", views.alert_page, name="supervision-alert"),
]

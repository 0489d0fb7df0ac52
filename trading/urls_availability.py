"""The availability pages; included at ``availability/``."""
from django.urls import path

from trading import views_availability as views

urlpatterns = [
    path("", views.availability, name="availability"),
    path("incidents/", views.incidents_public, name="availability-incidents"),
    path("incidents/declare/", views.incident_declare_view, name="availability-incident-declare"),
    path("incidents/<id:incident_id>/", views.incident_detail, name="availability-incident"),
    path("incidents/<id:incident_id>/change/", views.incident_change_view, name="availability-incident-change"),
]

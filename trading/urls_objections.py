"""Pages of objections to a lot's tender documents; included at the site root."""
from django.urls import path

from trading import views_objections as views

urlpatterns = [
    path("lots/<int:lot_id>/objections/", views.lot_objections, name="lot-objections"),
    path("lots/<int:lot_id>/objections/<int:objection_id>/reply/", views.lot_objection_reply,
         name="lot-objection-reply"),
]

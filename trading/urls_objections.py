"""Pages of objections to a lot's tender documents; included at the site root."""
from django.urls import path

from trading import views_objections as views

urlpatterns = [
    path("lots/<id:lot_id>/objections/", views.lot_objections, name="lot-objections"),
    path("lots/<id:lot_id>/objections/<id:objection_id>/reply/", views.lot_objection_reply,
         name="lot-objection-reply"),
]

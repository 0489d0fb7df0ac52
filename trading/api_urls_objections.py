"""REST routes of objections to tender documents; included under ``/api/v1/``."""
from django.urls import path

from trading import apis_objections as apis

urlpatterns = [
    path("lots/<id:lot_id>/objections/", apis.ObjectionListApi.as_view(), name="api-lot-objections"),
    path("lots/<id:lot_id>/objections/open/", apis.ObjectionOpenApi.as_view(), name="api-lot-objections-open"),
    path("objections/overdue/", apis.ObjectionOverdueApi.as_view(), name="api-objections-overdue"),
    path("objections/<id:objection_id>/reply/", apis.ObjectionReplyApi.as_view(), name="api-objection-reply"),
]

from django.urls import path

from trading import apis_availability as apis

urlpatterns = [
    path("availability/outages/", apis.OutageListApi.as_view(), name="api-outages"),
    path("availability/parts/", apis.PartStateApi.as_view(), name="api-availability-parts"),
    path("availability/incidents/", apis.IncidentListApi.as_view(), name="api-incidents"),
    path("availability/incidents/<id:incident_id>/", apis.IncidentDetailApi.as_view(), name="api-incident"),
    path("availability/unavailability/", apis.UnavailabilityApi.as_view(), name="api-unavailability"),
    path("lots/<id:lot_id>/deadline-extensions/", apis.LotExtensionsApi.as_view(), name="api-lot-extensions"),
]

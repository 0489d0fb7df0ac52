from django.urls import path

from supervisors import apis

urlpatterns = [
    path("lots/<int:lot_id>/supervisors/", apis.LotSupervisorsApi.as_view(), name="api-lot-supervisors"),
    path("supervisor-assignments/<int:assignment_id>/revoke/", apis.AssignmentRevokeApi.as_view(),
         name="api-supervisor-assignment-revoke"),
    path("lots/<int:lot_id>/reserve/", apis.ReserveSealApi.as_view(), name="api-lot-reserve"),
    path("lots/<int:lot_id>/observation-note/", apis.ObservationNoteApi.as_view(), name="api-observation-note"),
]

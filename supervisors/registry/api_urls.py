from django.urls import path

from supervisors.registry import apis

urlpatterns = [
    path("supervisors/", apis.SupervisorListApi.as_view(), name="api-supervisors"),
    path("supervisors/nominate/", apis.SupervisorNominateApi.as_view(), name="api-supervisor-nominate"),
    path("supervisors/workbench/", apis.WorkbenchApi.as_view(), name="api-supervisor-workbench"),
    path("supervisors/<id:supervisor_id>/", apis.SupervisorDetailApi.as_view(), name="api-supervisor"),
    path("supervisors/<id:supervisor_id>/vet/", apis.SupervisorVetApi.as_view(), name="api-supervisor-vet"),
    path("supervisors/<id:supervisor_id>/appoint/", apis.SupervisorAppointApi.as_view(),
         name="api-supervisor-appoint"),
    path("supervisors/<id:supervisor_id>/pledge/", apis.SupervisorPledgeApi.as_view(), name="api-supervisor-pledge"),
    path("supervisors/<id:supervisor_id>/suspend/", apis.SupervisorSuspendApi.as_view(),
         name="api-supervisor-suspend"),
    path("supervisors/<id:supervisor_id>/reinstate/", apis.SupervisorReinstateApi.as_view(),
         name="api-supervisor-reinstate"),
    path("supervisors/<id:supervisor_id>/dismiss/", apis.SupervisorDismissApi.as_view(),
         name="api-supervisor-dismiss"),
    path("supervisors/<id:supervisor_id>/renew/", apis.SupervisorRenewApi.as_view(), name="api-supervisor-renew"),
    path("supervisors/<id:supervisor_id>/sanctions/", apis.SupervisorSanctionApi.as_view(),
         name="api-supervisor-sanctions"),
    path("supervisors/<id:supervisor_id>/evaluations/", apis.SupervisorEvaluateApi.as_view(),
         name="api-supervisor-evaluations"),
    path("supervisors/<id:supervisor_id>/relations/", apis.SupervisorRelationsApi.as_view(),
         name="api-supervisor-relations"),
    path("lots/<id:lot_id>/supervisor-draws/", apis.LotDrawsApi.as_view(), name="api-lot-supervisor-draws"),
    path("supervisor-seats/<id:assignment_id>/accept/", apis.SeatAcceptApi.as_view(), name="api-seat-accept"),
    path("supervisor-seats/<id:assignment_id>/recuse/", apis.SeatRecuseApi.as_view(), name="api-seat-recuse"),
    path("supervisor-recusals/<id:recusal_id>/decide/", apis.RecusalDecideApi.as_view(),
         name="api-recusal-decide"),
]

from django.urls import path

from supervisors.registry import views

urlpatterns = [
    path("staff/supervisors/", views.staff_supervisors, name="staff-supervisors"),
    path("staff/supervisors/recommend/", views.staff_supervisor_recommend, name="staff-supervisor-recommend"),
    path("staff/supervisors/<id:supervisor_id>/", views.staff_supervisor, name="staff-supervisor"),
    path("staff/supervisors/<id:supervisor_id>/<slug:action>/", views.staff_supervisor_action,
         name="staff-supervisor-action"),
    path("staff/supervisors/sanctions/<id:sanction_id>/evidence/", views.sanction_evidence,
         name="sanction-evidence"),
    path("supervisors/<id:supervisor_id>/documents/<slug:kind>/", views.supervisor_document,
         name="supervisor-document"),
    path("staff/lots/<id:lot_id>/draws/", views.staff_lot_draws, name="staff-lot-draws"),
    path("staff/lots/<id:lot_id>/draws/recusals/<id:recusal_id>/", views.staff_recusal_decide,
         name="staff-recusal-decide"),
    path("supervision/workbench/", views.supervision_workbench, name="supervision-workbench"),
    path("supervision/nominate/", views.supervision_nominate, name="supervision-nominate"),
    path("supervision/relations/", views.supervision_relation_declare, name="supervision-relation-declare"),
    path("supervision/pledge/", views.supervision_pledge, name="supervision-pledge"),
    path("supervision/seats/<id:assignment_id>/accept/", views.supervision_seat_accept,
         name="supervision-seat-accept"),
    path("supervision/seats/<id:assignment_id>/recuse/", views.supervision_seat_recuse,
         name="supervision-seat-recuse"),
]

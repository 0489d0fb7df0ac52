from django.urls import path

from supervisors import views

urlpatterns = [
    # Included before trading's urls: its "staff/lots/<id>/<action>/" would take "supervisors".
    path("staff/lots/<int:lot_id>/supervisors/", views.staff_lot_supervisors, name="staff-lot-supervisors"),
    path("staff/lots/<int:lot_id>/supervisors/<int:assignment_id>/revoke/", views.staff_assignment_revoke,
         name="staff-supervisor-revoke"),
    path("staff/lots/<int:lot_id>/reserve/", views.staff_reserve_seal, name="staff-lot-reserve"),
    path("supervision/mine/", views.supervision_mine, name="supervision-mine"),
    path("supervision/lots/<int:lot_id>/note/", views.supervision_note_save, name="supervision-note-save"),
]

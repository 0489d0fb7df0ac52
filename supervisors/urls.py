from django.urls import include, path

from supervisors import views
from supervisors.complaints import views as complaints

urlpatterns = [
    path("", include("supervisors.registry.urls")),
    path("", include("supervisors.sessions.urls")),
    path("", include("supervisors.regulation.urls")),
    # Included before trading's urls: its "staff/lots/<id>/<action>/" would take "supervisors".
    path("staff/lots/<id:lot_id>/supervisors/", views.staff_lot_supervisors, name="staff-lot-supervisors"),
    path("staff/lots/<id:lot_id>/supervisors/<id:assignment_id>/revoke/", views.staff_assignment_revoke,
         name="staff-supervisor-revoke"),
    path("staff/lots/<id:lot_id>/reserve/", views.staff_reserve_seal, name="staff-lot-reserve"),
    path("supervision/mine/", views.supervision_mine, name="supervision-mine"),
    path("supervision/lots/<id:lot_id>/note/", views.supervision_note_save, name="supervision-note-save"),
    path("lots/<id:lot_id>/complaints/", complaints.lot_complaints, name="lot-complaints"),
    path("lots/<id:lot_id>/challenges/", complaints.lot_challenge_file, name="lot-challenge-file"),
    path("complaints/mine/", complaints.complaints_mine, name="complaints-mine"),
    path("regulator/complaints/", complaints.regulator_complaints, name="regulator-complaints"),
    path("regulator/complaints/<id:complaint_id>/", complaints.regulator_complaint,
         name="regulator-complaint"),
    path("regulator/complaints/<id:complaint_id>/<slug:step>/", complaints.regulator_complaint_step,
         name="regulator-complaint-step"),
    path("staff/challenges/", complaints.staff_challenges, name="staff-challenges"),
    path("staff/challenges/<id:challenge_id>/reply/", complaints.staff_challenge_reply,
         name="staff-challenge-reply"),
]

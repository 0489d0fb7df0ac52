from django.urls import path

from supervisors.sessions import views

urlpatterns = [
    path("supervision/lots/<id:lot_id>/", views.supervision_lot, name="supervision-lot"),
    path("supervision/lots/<id:lot_id>/stop/", views.supervision_stop, name="supervision-stop"),
    path("supervision/lots/<id:lot_id>/objections/", views.supervision_objection, name="supervision-objection"),
    path("supervision/lots/<id:lot_id>/questions/", views.supervision_question, name="supervision-question"),
    path("supervision/assignments/<id:assignment_id>/report/", views.supervision_report_form,
         name="supervision-report-form"),
    path("supervision/reports/<id:report_id>/", views.supervision_report, name="supervision-report"),
    path("supervision/reports/<id:report_id>/attachments/<str:sha256>/", views.supervision_report_attachment,
         name="supervision-report-attachment"),
    path("staff/supervision/", views.staff_supervision, name="staff-supervision"),
    path("staff/supervision/stop-requests/<id:stop_request_id>/answer/", views.staff_stop_answer,
         name="staff-stop-answer"),
    path("staff/supervision/questions/<id:question_id>/answer/", views.staff_question_answer,
         name="staff-question-answer"),
    path("lots/<id:lot_id>/officials/", views.lot_officials, name="lot-officials"),
]

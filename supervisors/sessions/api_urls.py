from django.urls import path

from supervisors.sessions import apis

urlpatterns = [
    path("lots/<id:lot_id>/stop-requests/", apis.LotStopRequestsApi.as_view(), name="api-lot-stop-requests"),
    path("stop-requests/", apis.StopRequestsApi.as_view(), name="api-stop-requests"),
    path("stop-requests/<id:stop_request_id>/answer/", apis.StopRequestAnswerApi.as_view(),
         name="api-stop-request-answer"),
    path("lots/<id:lot_id>/session-objections/", apis.LotObjectionsApi.as_view(), name="api-lot-session-objections"),
    path("session-objections/", apis.ObjectionsApi.as_view(), name="api-session-objections"),
    path("lots/<id:lot_id>/liaison-questions/", apis.LotQuestionsApi.as_view(), name="api-lot-liaison-questions"),
    path("liaison-questions/", apis.QuestionsApi.as_view(), name="api-liaison-questions"),
    path("liaison-questions/<id:question_id>/answer/", apis.QuestionAnswerApi.as_view(),
         name="api-liaison-question-answer"),
    path("supervisor-assignments/<id:assignment_id>/report/", apis.ReportSubmitApi.as_view(),
         name="api-observation-report-submit"),
    path("observation-reports/<id:report_id>/", apis.ReportApi.as_view(), name="api-observation-report"),
    path("observation-reports/<id:report_id>/file/", apis.ReportFileApi.as_view(),
         name="api-observation-report-file"),
    path("lots/<id:lot_id>/officials/", apis.LotOfficialsApi.as_view(), name="api-lot-officials"),
]

from django.urls import path

from supervisors import apis, apis_complaints

urlpatterns = [
    path("lots/<int:lot_id>/supervisors/", apis.LotSupervisorsApi.as_view(), name="api-lot-supervisors"),
    path("supervisor-assignments/<int:assignment_id>/revoke/", apis.AssignmentRevokeApi.as_view(),
         name="api-supervisor-assignment-revoke"),
    path("lots/<int:lot_id>/reserve/", apis.ReserveSealApi.as_view(), name="api-lot-reserve"),
    path("lots/<int:lot_id>/observation-note/", apis.ObservationNoteApi.as_view(), name="api-observation-note"),
    path("lots/<int:lot_id>/challenges/", apis_complaints.LotChallengesApi.as_view(), name="api-lot-challenges"),
    path("lots/<int:lot_id>/complaints/", apis_complaints.LotComplaintsApi.as_view(), name="api-lot-complaints"),
    path("challenges/", apis_complaints.ChallengeListApi.as_view(), name="api-challenges"),
    path("challenges/mine/", apis_complaints.ChallengesMineApi.as_view(), name="api-challenges-mine"),
    path("challenges/<int:challenge_id>/reply/", apis_complaints.ChallengeReplyApi.as_view(),
         name="api-challenge-reply"),
    path("complaints/", apis_complaints.ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/mine/", apis_complaints.ComplaintsMineApi.as_view(), name="api-complaints-mine"),
    path("complaints/<int:complaint_id>/accept/", apis_complaints.ComplaintAcceptApi.as_view(),
         name="api-complaint-accept"),
    path("complaints/<int:complaint_id>/refuse/", apis_complaints.ComplaintRefuseApi.as_view(),
         name="api-complaint-refuse"),
    path("complaints/<int:complaint_id>/suspend/", apis_complaints.ComplaintSuspendApi.as_view(),
         name="api-complaint-suspend"),
    path("complaints/<int:complaint_id>/decide/", apis_complaints.ComplaintDecideApi.as_view(),
         name="api-complaint-decide"),
]

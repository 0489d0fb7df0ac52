from django.urls import include, path

from supervisors import apis
from supervisors.complaints import apis as complaints

urlpatterns = [
    path("", include("supervisors.registry.api_urls")),
    path("", include("supervisors.sessions.api_urls")),
    path("", include("supervisors.regulation.api_urls")),
    path("lots/<id:lot_id>/supervisors/", apis.LotSupervisorsApi.as_view(), name="api-lot-supervisors"),
    path("supervisor-assignments/<id:assignment_id>/revoke/", apis.AssignmentRevokeApi.as_view(),
         name="api-supervisor-assignment-revoke"),
    path("lots/<id:lot_id>/reserve/", apis.ReserveSealApi.as_view(), name="api-lot-reserve"),
    path("lots/<id:lot_id>/observation-note/", apis.ObservationNoteApi.as_view(), name="api-observation-note"),
    path("lots/<id:lot_id>/challenges/", complaints.LotChallengesApi.as_view(), name="api-lot-challenges"),
    path("lots/<id:lot_id>/complaints/", complaints.LotComplaintsApi.as_view(), name="api-lot-complaints"),
    path("challenges/", complaints.ChallengeListApi.as_view(), name="api-challenges"),
    path("challenges/mine/", complaints.ChallengesMineApi.as_view(), name="api-challenges-mine"),
    path("challenges/<id:challenge_id>/reply/", complaints.ChallengeReplyApi.as_view(),
         name="api-challenge-reply"),
    path("complaints/", complaints.ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/mine/", complaints.ComplaintsMineApi.as_view(), name="api-complaints-mine"),
    path("complaints/<id:complaint_id>/accept/", complaints.ComplaintAcceptApi.as_view(),
         name="api-complaint-accept"),
    path("complaints/<id:complaint_id>/refuse/", complaints.ComplaintRefuseApi.as_view(),
         name="api-complaint-refuse"),
    path("complaints/<id:complaint_id>/suspend/", complaints.ComplaintSuspendApi.as_view(),
         name="api-complaint-suspend"),
    path("complaints/<id:complaint_id>/decide/", complaints.ComplaintDecideApi.as_view(),
         name="api-complaint-decide"),
]

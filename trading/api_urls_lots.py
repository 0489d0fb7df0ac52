from django.urls import path

from trading import apis_lots as apis

urlpatterns = [
    path("lots/", apis.LotListApi.as_view(), name="api-lot-list"),
    path("lots/<id:lot_id>/", apis.LotDetailApi.as_view(), name="api-lot"),
    path("lots/<id:lot_id>/timeline/", apis.LotTimelineApi.as_view(), name="api-lot-timeline"),
    path("lots/<id:lot_id>/submit/", apis.LotSubmitApi.as_view(), name="api-lot-submit"),
    path("lots/<id:lot_id>/return/", apis.LotReturnApi.as_view(), name="api-lot-return"),
    path("lots/<id:lot_id>/amend/", apis.LotAmendApi.as_view(), name="api-lot-amend"),
    path("lots/<id:lot_id>/suspend/", apis.LotSuspendApi.as_view(), name="api-lot-suspend"),
    path("lots/<id:lot_id>/resume/", apis.LotResumeApi.as_view(), name="api-lot-resume"),
    path("lots/<id:lot_id>/retender/", apis.LotRetenderApi.as_view(), name="api-lot-retender"),
    path("lots/<id:lot_id>/announcements/", apis.LotAnnouncementApi.as_view(), name="api-lot-announcements"),
    path("announcements/", apis.AnnouncementListApi.as_view(), name="api-announcement-list"),
    path("announcements/<id:announcement_id>/correct/", apis.AnnouncementCorrectApi.as_view(),
         name="api-announcement-correct"),
    path("projects/", apis.ProjectCreateApi.as_view(), name="api-project-create"),
    path("projects/<id:project_id>/lots/", apis.ProjectLotCreateApi.as_view(), name="api-project-lots"),
]

from django.urls import path

from monitoring.archive import apis

urlpatterns = [
    path("archive/", apis.ArchiveListApi.as_view(), name="api-archives"),
    path("archive/<id:archive_id>/download/", apis.ArchiveDownloadApi.as_view(), name="api-archive-download"),
]

"""Open data in OCDS, mounted under ``api/ocds/`` by ``config.urls``."""
from django.urls import path

from monitoring.opendata import apis

urlpatterns = [
    path("releases/", apis.ReleaseListApi.as_view(), name="ocds-releases"),
    path("releases/<str:ocid>/", apis.ReleasePackageApi.as_view(), name="ocds-lot-releases"),
    path("records/", apis.RecordListApi.as_view(), name="ocds-records"),
    path("records/<str:ocid>/", apis.RecordPackageApi.as_view(), name="ocds-lot-record"),
]

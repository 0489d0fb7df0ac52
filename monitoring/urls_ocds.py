"""Open data in OCDS, mounted under ``api/ocds/`` by ``config.urls``."""
from django.urls import path

from monitoring import apis_ocds

urlpatterns = [
    path("releases/", apis_ocds.ReleaseListApi.as_view(), name="ocds-releases"),
    path("releases/<str:ocid>/", apis_ocds.ReleasePackageApi.as_view(), name="ocds-lot-releases"),
    path("records/", apis_ocds.RecordListApi.as_view(), name="ocds-records"),
    path("records/<str:ocid>/", apis_ocds.RecordPackageApi.as_view(), name="ocds-lot-record"),
]

from django.urls import path

from monitoring.integrity import apis_flags

urlpatterns = [
    path("integrity/flags/", apis_flags.FlagListApi.as_view(), name="api-integrity-flags"),
    path("integrity/flags/<id:flag_id>/", apis_flags.FlagDetailApi.as_view(), name="api-integrity-flag"),
    path("integrity/checks/", apis_flags.CheckListApi.as_view(), name="api-integrity-checks"),
]

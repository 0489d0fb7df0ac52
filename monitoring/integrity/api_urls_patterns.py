from django.urls import path

from monitoring.integrity import apis_patterns

urlpatterns = [
    path("integrity/patterns/", apis_patterns.PatternListApi.as_view(), name="api-patterns"),
    path("integrity/patterns/<id:finding_id>/", apis_patterns.FindingApi.as_view(), name="api-pattern"),
    path("integrity/patterns/<id:finding_id>/refer/", apis_patterns.FindingReferApi.as_view(),
         name="api-pattern-refer"),
]

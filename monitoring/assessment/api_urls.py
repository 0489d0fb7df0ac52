from django.urls import path

from monitoring.assessment import apis

urlpatterns = [
    path("assessment/indicators/", apis.IndicatorListApi.as_view(), name="api-assessment-indicators"),
    path("assessment/indicators/weights/", apis.WeightsApi.as_view(), name="api-assessment-weights"),
    path("assessment/assessments/", apis.AssessmentListApi.as_view(), name="api-assessments"),
    path("assessment/assessments/<id:assessment_id>/", apis.AssessmentDetailApi.as_view(), name="api-assessment"),
    path("assessment/assessments/<id:assessment_id>/scores/", apis.AssessmentScoreApi.as_view(),
         name="api-assessment-score"),
    path("assessment/assessments/<id:assessment_id>/finalise/", apis.AssessmentFinaliseApi.as_view(),
         name="api-assessment-finalise"),
]

from django.urls import path

from trading import apis_rules as apis

urlpatterns = [
    path("rules/", apis.RuleListApi.as_view(), name="api-rules"),
    path("rules/<id:rule_id>/", apis.RuleDetailApi.as_view(), name="api-rule"),
    path("rules/<id:rule_id>/changes/", apis.RuleProposalApi.as_view(), name="api-rule-changes"),
    path("rule-changes/<id:change_id>/decision/", apis.RuleChangeDecisionApi.as_view(),
         name="api-rule-change-decision"),
]

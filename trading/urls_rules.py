"""The rule table's pages; included at ``rules/``."""
from django.urls import path

from trading import views_rules as views

urlpatterns = [
    path("", views.rules, name="rules"),
    path("<id:rule_id>/", views.rule_detail, name="rule-detail"),
    path("<id:rule_id>/propose/", views.rule_propose, name="rule-propose"),
    path("changes/<id:change_id>/decide/", views.rule_change_decide_view, name="rule-change-decide"),
]

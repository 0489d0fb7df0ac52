from django.urls import path

from monitoring.integrity import views_patterns

urlpatterns = [
    path("regulator/patterns/", views_patterns.patterns_page, name="regulator-patterns"),
    path("regulator/patterns/<id:finding_id>/", views_patterns.finding_page, name="regulator-pattern"),
]

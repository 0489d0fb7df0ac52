from django.urls import include, path

urlpatterns = [
    path("", include("monitoring.integrity.urls_flags")),
    path("", include("monitoring.integrity.urls_patterns")),
]

from django.urls import include, path

urlpatterns = [
    path("", include("monitoring.integrity.api_urls_flags")),
    path("", include("monitoring.integrity.api_urls_patterns")),
]

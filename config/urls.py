from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("bidding.api_urls")),
    path("api/v1/", include("supervisors.api_urls")),
    path("api/v1/", include("trading.api_urls")),
    path("api/v1/", include("monitoring.api_urls")),
    path("api/ocds/", include("monitoring.urls_ocds")),
    path("", include("monitoring.urls")),
    path("", include("bidding.urls")),
    path("", include("supervisors.urls")),
    path("", include("trading.urls")),
]

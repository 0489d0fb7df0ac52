from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from trading.converters import IdConverter

register_converter(IdConverter, "id")

# JSON {code, detail} under /api/ for requests Django refuses (too large, unreadable); pages keep the 400 page.
handler400 = "trading.apierrors.bad_request"
# The other error pages in the site's layout with a reason and a way back; JSON under /api/ (trading.views_errors).
handler403 = "trading.views_errors.permission_denied"
handler404 = "trading.views_errors.page_not_found"
handler500 = "trading.views_errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page links (base.html links the SVG).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the Content Security Policy allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
         name="api-docs"),
    path("api/v1/", include("bidding.api_urls")),
    path("api/v1/", include("supervisors.api_urls")),
    path("api/v1/", include("trading.api_urls")),
    path("api/v1/", include("monitoring.api_urls")),
    path("api/ocds/", include("monitoring.opendata.urls")),
    path("", include("monitoring.urls")),
    path("", include("bidding.urls")),
    path("", include("supervisors.urls")),
    path("", include("trading.urls")),
]

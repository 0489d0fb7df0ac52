from django.urls import include, path

from trading import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("auth/token/", apis.TokenApi.as_view(), name="api-token"),
    path("organisations/", apis.OrganisationListApi.as_view(), name="api-organisations"),
    path("", include("trading.accounts.api_urls")),
    path("", include("trading.api_urls_lots")),
    path("", include("trading.api_urls_documents")),
    path("", include("trading.api_urls_registrations")),
    path("", include("trading.api_urls_objections")),
    path("", include("trading.api_urls_rules")),
    path("", include("trading.api_urls_availability")),
]

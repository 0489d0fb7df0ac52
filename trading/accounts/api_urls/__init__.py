"""The accounts API: companies and their people, roles and their history, notices."""
from django.urls import include, path

urlpatterns = [
    path("", include("trading.accounts.api_urls.companies")),
    path("", include("trading.accounts.api_urls.roles")),
]

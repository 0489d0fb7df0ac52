"""Pages of accounts: companies and their people, roles and their history, the second factor, notices."""
from django.urls import include, path

urlpatterns = [
    path("", include("trading.accounts.urls.companies")),
    path("", include("trading.accounts.urls.roles")),
    path("", include("trading.accounts.urls.second_factor")),
]

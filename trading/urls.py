from django.urls import include, path

from trading import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("", include("trading.accounts.urls")),
    path("objects/", include("trading.storage.urls")),
    path("calendar/", include("trading.urls_calendar")),
    path("rules/", include("trading.urls_rules")),
    path("availability/", include("trading.urls_availability")),
    path("", include("trading.urls_lots")),
    path("", include("trading.urls_documents")),
    path("", include("trading.urls_registrations")),
    path("", include("trading.urls_objections")),
]

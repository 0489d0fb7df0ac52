from django.urls import path

from monitoring.integrity import views_flags

urlpatterns = [
    path("regulator/flags/", views_flags.flags_page, name="regulator-flags"),
    path("regulator/flags/<id:flag_id>/", views_flags.flag_page, name="regulator-flag"),
]

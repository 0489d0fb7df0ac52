"""The staff calendar page; included at ``calendar/``."""
from django.urls import path

from trading import views_calendar as views

urlpatterns = [
    path("", views.calendar_index, name="calendar"),
    path("<int:year>/", views.calendar_year, name="calendar-year"),
    path("<int:year>/days/", views.calendar_day_correct, name="calendar-day-correct"),
    path("<int:year>/confirm/", views.calendar_year_confirm_view, name="calendar-year-confirm"),
    path("alerts/<id:pk>/acknowledge/", views.calendar_alert_acknowledge_view, name="calendar-alert-acknowledge"),
]

"""The supervision dashboard: the centre's live openings and open alerts, kept current by its room."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.sealed.selectors import opening_sessions_live
from monitoring.event_words import room_words
from monitoring.selectors import subject_head
from trading.models import CalendarAlert, Role
from trading.permissions import role_required
from trading.selectors_calendar import calendar_alerts_open


@login_required
def dashboard_page(request):
    """The supervision dashboard: the centre's live openings and open alerts, kept current by the
    ``dashboard`` room (docs/rooms.md)."""
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    # The head first, then the lists: whatever commits in between is in the lists and is replayed
    # after ``head`` too, which the page applies idempotently; the other order could lose it.
    head = subject_head("centre")
    sessions = list(opening_sessions_live())
    alerts = list(calendar_alerts_open())
    room = {
        "url": "/ws/rooms/dashboard/", "after": head,
        "opening_url": reverse("opening-page", args=[0]).replace("/0/", "/{lot}/"),
        "reasons": dict(CalendarAlert.Reason.choices),
        **room_words("session", "alert", "calendar", "supervision"),
        "labels": {
            "connecting": _("Connecting…"), "connected": _("Connected: live"),
            "reconnecting": _("Connection lost: reconnecting…"), "refused": _("Access refused"),
            "lost": _("Access lost"), "room": _("Opening room"), "year": _("Calendar %(year)s"),
            "none": _("None."),
        },
    }
    return render(request, "monitoring/dashboard.html", {"sessions": sessions, "alerts": alerts, "room": room})

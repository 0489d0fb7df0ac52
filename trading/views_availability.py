"""Pages of the platform's availability (docs/availability.md): the staff page (the parts' state, the
history of outages and incidents with their durations, the deadlines they extended, and declaring
an incident), an incident's own page where staff correct or close it, and the public list of
declared incidents. Thin: every write is a service, which refuses and records anyone but staff."""
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trading.errors import TradingError
from trading.forms_availability import IncidentChangeForm, IncidentForm
from trading.models import Outage, Part, PartState, Role
from trading.permissions import holds_role, role_required
from trading.probes import parts_configured
from trading.selectors_availability import extension_list, incident_get, incident_list_public, outage_list
from trading.services.availability import failures_to_open, heartbeat_gap, incident_change, incident_declare

PAGE_SIZE = 50
SOURCES = dict(Outage.Source.choices)


def _parts() -> list[dict]:
    """Each part the probe watches here, with what it last found (a part never probed yet has no row)."""
    states = {state.part: state for state in PartState.objects.all()}
    return [{"part": part, "label": Part(part).label, "state": states.get(part)}
            for part in [*parts_configured(), Part.SWEEPS]]


def _page(request, *, form=None, status=200):
    source = request.GET.get("source", "")
    outages = outage_list(source=source if source in SOURCES else "")
    return render(request, "trading/availability.html", {
        "parts": _parts(), "page": Paginator(outages, PAGE_SIZE).get_page(request.GET.get("page")),
        "source": source, "sources": Outage.Source.choices, "extensions": extension_list(limit=50),
        "is_staff": holds_role(request.user, Role.STAFF), "form": form or IncidentForm(),
        "failures_to_open": failures_to_open(), "gap_seconds": int(heartbeat_gap().total_seconds()),
    }, status=status)


def availability(request):
    """Staff and regulators read the record; staff declare incidents here."""
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    return _page(request)


def _refused(error: TradingError):
    if error.status == 403:
        raise PermissionDenied(error.message)


@require_POST
def incident_declare_view(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = IncidentForm(request.POST)
    if not form.is_valid():
        role_required(request.user, Role.STAFF)
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        incident = incident_declare(person=request.user, started_at=data["started_at"], ended_at=data["ended_at"],
                                    part=data["part"], reason=data["reason"])
    except TradingError as error:
        _refused(error)
        form.add_error(None, error.message)
        return _page(request, form=form, status=error.status)
    messages.success(request, _("The incident is declared. Deadlines it affects are extended under the rule table."))
    return redirect("availability-incident", incident_id=incident.pk)


def _initial(incident: Outage) -> dict:
    local = {name: timezone.localtime(value) if value else None
             for name, value in (("started_at", incident.started_at), ("ended_at", incident.ended_at))}
    return {**local, "reason": incident.reason}


def _incident_page(request, incident_id: int, *, form=None, status=200):
    incident = incident_get(incident_id=incident_id)
    if incident is None:
        raise Http404
    is_staff = holds_role(request.user, Role.STAFF)
    if is_staff and form is None:
        form = IncidentChangeForm(initial=_initial(incident))
    return render(request, "trading/availability_incident.html", {
        "incident": incident, "extensions": incident.extensions.select_related("lot__project").order_by("extended_at"),
        "is_staff": is_staff, "form": form if is_staff else None,
    }, status=status)


def incident_detail(request, incident_id: int):
    """An incident, public; staff correct or close it here."""
    return _incident_page(request, incident_id)


@require_POST
def incident_change_view(request, incident_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = IncidentChangeForm(request.POST)
    if not form.is_valid():
        role_required(request.user, Role.STAFF)
        return _incident_page(request, incident_id, form=form, status=400)
    data = form.cleaned_data
    try:
        incident_change(person=request.user, incident_id=incident_id, why=data["why"], started_at=data["started_at"],
                        ended_at=data["ended_at"], reason=data["reason"])
    except TradingError as error:
        _refused(error)
        if error.status == 404:
            raise Http404 from None
        form.add_error(None, error.message)
        return _incident_page(request, incident_id, form=form, status=error.status)
    messages.success(request, _("The incident is changed; the change is on the record."))
    return redirect("availability-incident", incident_id=incident_id)


def incidents_public(request):
    """Every incident staff declared, the latest first: public, as lots' extensions rest on them."""
    page = Paginator(incident_list_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/availability_incidents.html", {"page": page})

"""Pages of lots: the public portal (announcements, lot pages with schedule and timeline) and the
staff pages that create, review, publish, amend and suspend lots. Thin: every write is a service."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from trading.errors import TradingError
from trading.filters import AnnouncementFilter, LotFilter
from trading.forms_lots import (
    AmendForm,
    CorrectForm,
    LotFieldsForm,
    NoticeForm,
    ProjectCreateForm,
    ReasonForm,
)
from trading.models import Lot, Role
from trading.permissions import role_required
from trading.selectors import announcement_list_public, lot_get_public, lot_list_for_staff, lot_list_public, lot_timeline
from trading.selectors_availability import lot_incidents
from trading.selectors_timeline import lot_story
from trading.services.announcements import announcement_correct, announcement_publish
from trading.services.lots import (
    lot_amend,
    lot_create,
    lot_resume,
    lot_return,
    lot_submit,
    lot_suspend,
    lot_update,
    project_create,
)
from trading.services.retender import lot_retender

PAGE_SIZE = 20


def _search(request, filterset, template: str):
    """A list page: the filters as a GET form, so every search and each of its pages is a URL to
    share; a filter given a value it cannot read says so next to its field and the others apply."""
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    market = filterset.form.cleaned_data.get("market") if filterset.is_valid() else None
    return render(request, template, {"form": filterset.form, "page": page, "feed_market": market})


def announcement_list(request):
    return _search(request, AnnouncementFilter(request.GET or None, queryset=announcement_list_public()),
                   "trading/announcement_list.html")


def lot_list(request):
    return _search(request, LotFilter(request.GET or None, queryset=lot_list_public()), "trading/lot_list.html")


def lot_detail(request, lot_id: int):
    """A lot's public page: its story at a glance (what happens next and when, the steps taken and
    to come), its particulars, its announcements and the pages of its documents, opening and result."""
    lot = lot_get_public(lot_id=lot_id)
    if lot is None:
        raise Http404
    prefetch_related_objects([lot], "announcements", "status_changes", "deadline_extensions__outages")
    return render(request, "trading/lot_detail.html", {
        "lot": lot, "announcements": lot.announcements.all(), "story": lot_story(lot=lot),
        "extensions": lot.deadline_extensions.all(), "incidents": lot_incidents(lot=lot),
    })


def staff_lot_list(request):
    role_required(request.user, Role.STAFF)
    status = request.GET.get("status", "")
    return render(request, "trading/staff_lot_list.html", {
        "lots": lot_list_for_staff(status=status)[:200], "status": status, "statuses": Lot.Status.choices,
    })


def staff_project_create(request):
    role_required(request.user, Role.STAFF)
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, actor = form.cleaned_data, actor_of(request.user)
        try:
            with transaction.atomic():
                project = project_create(code=data["code"], title=data["title"], market=data["procedure"].market,
                                         procedure=data["procedure"], tenderee=data["tenderee"],
                                         region=data["region"], investment=data["investment"], actor=actor)
                lot = lot_create(project=project, actor=actor, **form.lot_fields())
        except TradingError as error:
            form.add_error(None, error.message)
        else:
            return redirect("staff-lot", lot_id=lot.pk)
    return render(request, "trading/staff_project_form.html", {"form": form})


def staff_lot(request, lot_id: int):
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot.objects.select_related("project__market", "project__procedure"), pk=lot_id)
    initial = {"lot_title": lot.title, "estimate": lot.estimate, "deposit": lot.deposit,
               **{name: getattr(lot, name) for name in ("documents_until", "bid_deadline", "listing_start",
                                                         "listing_end")}}
    return render(request, "trading/staff_lot.html", {
        "lot": lot, "timeline": lot_timeline(lot=lot),
        "edit_form": LotFieldsForm(initial=initial, kind=lot.procedure.kind),
        "amend_form": AmendForm(kind=lot.procedure.kind), "reason_form": ReasonForm(), "notice_form": NoticeForm(),
        "announcements": lot.announcements.all(),
    })


# What each staff action posts, and the service it calls. Every one answers by going back to the
# staff lot page with the outcome (or the broken rule) as a message.
def _valid(form):
    if not form.is_valid():
        raise TradingError("invalid", " ".join(m for errors in form.errors.values() for m in errors))
    return form.cleaned_data


def _edit(request, lot, actor):
    form = LotFieldsForm(request.POST, kind=lot.procedure.kind)
    _valid(form)
    lot_update(lot_id=lot.pk, actor=actor, **form.lot_fields())


def _amend(request, lot, actor):
    lot_amend(lot_id=lot.pk, actor=actor, **_valid(AmendForm(request.POST, kind=lot.procedure.kind)))


def _notice(request, lot, actor):
    announcement_publish(lot_id=lot.pk, actor=actor, **_valid(NoticeForm(request.POST)))


def _correct(request, lot, actor):
    data = _valid(CorrectForm(request.POST))
    if not lot.announcements.filter(pk=data["announcement"]).exists():
        raise Http404
    announcement_correct(announcement_id=data["announcement"], title=data["title"], body=data["body"], actor=actor)


ACTIONS = {
    "edit": _edit,
    "submit": lambda request, lot, actor: lot_submit(lot_id=lot.pk, actor=actor),
    "return": lambda request, lot, actor: lot_return(lot_id=lot.pk, reason=request.POST.get("reason", ""),
                                                     actor=actor),
    "amend": _amend,
    "suspend": lambda request, lot, actor: lot_suspend(lot_id=lot.pk, reason=request.POST.get("reason", ""),
                                                       actor=actor),
    "resume": lambda request, lot, actor: lot_resume(lot_id=lot.pk, actor=actor),
    "notice": _notice,
    "correct": _correct,
}


@require_POST
def staff_lot_action(request, lot_id: int, action: str):
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot, pk=lot_id)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](request, lot, actor_of(request.user))
    except TradingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done. The lot is now: %(status)s.") % {"status": Lot.objects.get(pk=lot.pk).get_status_display()})
    return redirect("staff-lot", lot_id=lot.pk)


@require_POST
def staff_lot_retender(request, lot_id: int):
    """Tender a failed lot again; staff land on the new draft to check its dates."""
    role_required(request.user, Role.STAFF)
    lot = get_object_or_404(Lot, pk=lot_id)
    try:
        new = lot_retender(lot_id=lot.pk, actor=actor_of(request.user))
    except TradingError as error:
        messages.error(request, error.message)
        return redirect("staff-lot", lot_id=lot.pk)
    messages.success(request, _("Lot %(code)s is a draft that tenders %(failed)s again: check its dates and "
                                "documents, then submit it for review.") % {"code": new.code, "failed": lot.code})
    return redirect("staff-lot", lot_id=new.pk)

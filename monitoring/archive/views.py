"""Pages of the archive register (存档归档): the list of sealed archives with filters, and the
download of one archive. Staff and regulators only; everyone else is refused (403)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from monitoring.archive.selectors import OUTCOMES, archive_get, archive_list, archive_open, archive_years
from trading.models import Lot, Market, Role
from trading.permissions import role_required
from trading.storage import StorageError, StorageErrorCode

PAGE_SIZE = 50


class ArchiveFilterForm(forms.Form):
    market = forms.ChoiceField(label=_("Market"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *((m.code, m.name) for m in Market.objects.all())]
        self.fields["outcome"].choices = [("", _("All outcomes")),
                                          *((status, Lot.Status(status).label) for status in OUTCOMES)]
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in archive_years())]


def download_response(archive) -> FileResponse:
    """The stored archive as a download (pages and API alike); 404 if the store has lost it."""
    try:
        data = archive_open(archive=archive)
    except StorageError as error:
        if error.code == StorageErrorCode.NOT_FOUND:
            raise Http404 from error
        raise
    response = FileResponse(data, as_attachment=True, filename=f"archive-{archive.lot.code}.zip",
                            content_type="application/zip")
    response["Content-Length"] = str(archive.size)
    response["ETag"] = f'"{archive.sha256}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def archive_register(request):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    form = ArchiveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    archives = archive_list(market=filters.get("market", ""), outcome=filters.get("outcome", ""),
                            year=filters.get("year"))
    page = Paginator(archives, PAGE_SIZE).get_page(request.GET.get("page"))
    for archive in page:
        archive.outcome_label = Lot.Status(archive.outcome).label
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/archive/register.html", {
        "form": form, "archives": page, "query": query.urlencode(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@require_safe
@login_required
def archive_download(request, archive_id: int):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    archive = archive_get(archive_id=archive_id)
    if archive is None:
        raise Http404
    return download_response(archive)

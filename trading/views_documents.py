"""Pages of a lot's documents and its questions and answers; included at the site root."""
import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import Enquiry, Role
from trading.permissions import role_required
from trading.selectors_documents import (document_access_for_user, document_list, enquiry_can_ask,
                                         enquiry_list_own_pending, enquiry_list_pending, enquiry_list_public,
                                         lot_get_visible)
from trading.services.documents import NAME_MAX, document_download_link, document_upload
from trading.services.enquiries import enquiry_answer, enquiry_ask
from trading.text import TEXT_MAX

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(label=_("Document name"), max_length=NAME_MAX, required=False,
                           help_text=_("Upload under an existing name to publish its next version; "
                                       "left empty, the file's own name is used."))
    amend = forms.BooleanField(label=_("Publish an amendment with this version"), required=False)
    title = forms.CharField(label=_("Amendment title"), max_length=200, required=False)
    body = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    bid_deadline = forms.DateTimeField(label=_("New bid deadline"), required=False, widget=DATETIME_WIDGET,
                                       help_text=_("Only if the amendment must move the deadline."))


class EnquiryAskForm(forms.Form):
    question = forms.CharField(label=_("Your question"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Published with its answer, without your name or your organisation's."))


class EnquiryAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    as_amendment = forms.BooleanField(label=_("Publish as an amendment"), required=False)
    title = forms.CharField(label=_("Amendment title"), max_length=200, required=False)
    bid_deadline = forms.DateTimeField(label=_("New bid deadline"), required=False, widget=DATETIME_WIDGET)


def visible_lot(request, lot_id: int):
    try:
        return lot_get_visible(lot_id=lot_id, user=request.user)
    except TradingError as error:
        raise Http404 from error


def signed_in_with(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role_required(request.user, *roles)
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


def _documents_page(request, lot, *, form=None, error=None, status=200):
    access = document_access_for_user(lot=lot, user=request.user, now=clock.now())
    if form is None and access["can_upload"]:
        form = DocumentUploadForm(initial={"amend": access["suggest_amendment"]})
    return render(request, "trading/documents.html", {
        "lot": lot, "documents": document_list(lot=lot), "access": access, "form": form, "error": error,
    }, status=status)


def lot_documents(request, lot_id: int):
    lot = visible_lot(request, lot_id)
    if request.method == "POST":
        return _document_upload(request, lot)
    return _documents_page(request, lot)


@signed_in_with(Role.STAFF)
def _document_upload(request, lot):
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _documents_page(request, lot, form=form, status=400)
    upload, data = form.cleaned_data["file"], form.cleaned_data
    try:
        document = document_upload(
            lot_id=lot.pk, name=data["name"] or upload.name, stream=upload, length=upload.size,
            content_type=upload.content_type, actor=actor_of(request.user), amend=data["amend"],
            title=data["title"], body=data["body"], bid_deadline=data["bid_deadline"],
        )
    except TradingError as error:
        return _documents_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("Stored %(name)s, version %(version)s.")
                     % {"name": document.name, "version": document.version})
    return redirect("lot-documents", lot_id=lot.pk)


@require_POST
@signed_in_with(Role.BIDDER, Role.STAFF)
def lot_document_download(request, lot_id: int, document_id: int):
    lot = visible_lot(request, lot_id)
    if not lot.documents.filter(pk=document_id).exists():
        raise Http404
    try:
        url = document_download_link(document_id=document_id, user=request.user,
                                     ip=request.META.get("REMOTE_ADDR") or None)
    except TradingError as error:
        messages.error(request, error.message)
        return redirect("lot-documents", lot_id=lot.pk)
    return redirect(url)


def _enquiries_page(request, lot, *, form=None, error=None, status=200):
    user = request.user
    staff = user.is_authenticated and user.has_role(Role.STAFF)
    can_ask = enquiry_can_ask(lot=lot, user=user, now=clock.now())
    return render(request, "trading/enquiries.html", {
        "lot": lot,
        "answered": enquiry_list_public(lot=lot),
        "pending": enquiry_list_pending(lot=lot) if staff else None,
        "own_pending": enquiry_list_own_pending(lot=lot, organisation=user.organisation) if can_ask else None,
        "can_ask": can_ask,
        "form": form or (EnquiryAskForm() if can_ask else None),
        "answer_form": EnquiryAnswerForm(auto_id=False) if staff else None,
        "error": error,
    }, status=status)


def lot_enquiries(request, lot_id: int):
    lot = visible_lot(request, lot_id)
    if request.method == "POST":
        return _enquiry_ask(request, lot)
    return _enquiries_page(request, lot)


@signed_in_with(Role.BIDDER)
def _enquiry_ask(request, lot):
    form = EnquiryAskForm(request.POST)
    if not form.is_valid():
        return _enquiries_page(request, lot, form=form, status=400)
    try:
        enquiry_ask(lot_id=lot.pk, user=request.user, question=form.cleaned_data["question"])
    except TradingError as error:
        return _enquiries_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("Your question was received; it is published with its answer."))
    return redirect("lot-enquiries", lot_id=lot.pk)


@require_POST
@signed_in_with(Role.STAFF)
def lot_enquiry_answer(request, lot_id: int, enquiry_id: int):
    lot = visible_lot(request, lot_id)
    if not Enquiry.objects.filter(pk=enquiry_id, lot=lot).exists():
        raise Http404
    form = EnquiryAnswerForm(request.POST)
    if not form.is_valid():
        return _enquiries_page(request, lot, error=_("Write the answer."), status=400)
    try:
        enquiry_answer(enquiry_id=enquiry_id, actor=actor_of(request.user), **form.cleaned_data)
    except TradingError as error:
        return _enquiries_page(request, lot, error=error.message, status=error.status)
    messages.success(request, _("The answer is published."))
    return redirect("lot-enquiries", lot_id=lot.pk)

"""Pages of objections to a lot's tender documents; included at the site root.

Only the objecting bidders and staff see these pages: the public learns from the lot page that the
procedure is suspended, never who objected.
"""
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from monitoring.events import actor_of
from trading import clock
from trading.errors import TradingError
from trading.models import DocumentObjection, Role
from trading.permissions import PAGE_ROLES
from trading.selectors_objections import (objection_can_file, objection_last_day, objection_list_open,
                                          objection_list_own)
from trading.services.objections import objection_file, objection_reply
from trading.text import TEXT_MAX
from trading.views_documents import DATETIME_WIDGET, signed_in_with, visible_lot


class ObjectionFileForm(forms.Form):
    text = forms.CharField(label=_("Your objection to the tender documents"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("The procedure is suspended until the tenderee replies; other bidders "
                                       "and the public are not told who objected."))


class ObjectionReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    bid_deadline = forms.DateTimeField(
        label=_("New bid deadline"), required=False, widget=DATETIME_WIDGET,
        help_text=_("With the last reply, if the suspension shortened the bidding period or the reply changes "
                    "the documents."))


def _objections_page(request, lot, *, form=None, error=None, status=200):
    user = request.user
    now = clock.now()
    staff = user.has_role(Role.STAFF)
    can_file = objection_can_file(lot=lot, user=user, now=now)
    bidder = user.has_role(Role.BIDDER)
    return render(request, "trading/objections.html", {
        "lot": lot,
        "now": now,
        "last_day": objection_last_day(lot=lot) if bidder else None,
        "own": objection_list_own(lot=lot, organisation=user.organisation) if bidder else None,
        "can_file": can_file,
        "form": form or (ObjectionFileForm() if can_file else None),
        "open_objections": objection_list_open(lot=lot) if staff else None,
        "reply_form": ObjectionReplyForm(auto_id=False) if staff else None,
        "error": error,
    }, status=status)


@signed_in_with(*PAGE_ROLES["lot-objections"])
def lot_objections(request, lot_id: int):
    lot = visible_lot(request, lot_id)
    if request.method == "POST":
        return _objection_file(request, lot)
    return _objections_page(request, lot)


@signed_in_with(Role.BIDDER)
def _objection_file(request, lot):
    form = ObjectionFileForm(request.POST)
    if not form.is_valid():
        return _objections_page(request, lot, form=form, status=400)
    try:
        objection_file(lot_id=lot.pk, user=request.user, text=form.cleaned_data["text"])
    except TradingError as error:
        return _objections_page(request, lot, form=form, error=error.message, status=error.status)
    messages.success(request, _("Your objection was received; the procedure is suspended until the reply."))
    return redirect("lot-objections", lot_id=lot.pk)


@require_POST
@signed_in_with(Role.STAFF)
def lot_objection_reply(request, lot_id: int, objection_id: int):
    lot = visible_lot(request, lot_id)
    if not DocumentObjection.objects.filter(pk=objection_id, lot=lot).exists():
        raise Http404
    form = ObjectionReplyForm(request.POST)
    if not form.is_valid():
        return _objections_page(request, lot, error=_("Write the reply."), status=400)
    try:
        objection_reply(objection_id=objection_id, actor=actor_of(request.user), **form.cleaned_data)
    except TradingError as error:
        return _objections_page(request, lot, error=error.message, status=error.status)
    messages.success(request, _("The reply is recorded."))
    return redirect("lot-objections", lot_id=lot.pk)

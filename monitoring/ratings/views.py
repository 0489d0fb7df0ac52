"""Pages of the service ratings (好差评): a party's services with a form to rate each and the
centre's answers (``/ratings/mine/``, people of the served organisation), and the centre's list of
ratings, bad ones awaiting an answer first, with the answer form (``/ratings/``, staff answer,
regulators read)."""
from datetime import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from monitoring.ratings.errors import RatingError
from monitoring.ratings.models import BAD_LEVELS, Level
from monitoring.ratings.selectors import (RATERS, last_day, rating_list, satisfaction, service_list_own,
                                         services_with_windows)
from monitoring.ratings.services import rating_answer, rating_give
from trading import clock
from trading.accounts.selectors import actor_names
from trading.models import Market, Role
from trading.permissions import role_required
from trading.text import TEXT_MAX
from trading.workdays import CHINA

PAGE_SIZE = 50


class RateForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=Level.choices)
    comment = forms.CharField(label=pgettext_lazy("rating", "Comment"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required for “dissatisfied” and “very dissatisfied”: say what was "
                                          "wrong; the centre answers it."))

    def clean(self):
        data = super().clean()
        if data.get("level") in BAD_LEVELS and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what was wrong: a rating of dissatisfied or worse needs a comment."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("The centre's answer"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3, "class": "wide-text"}),
                             help_text=_("What the centre found and did; the rater reads it with their rating."))


class RatingFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("All ratings")), ("bad", _("Bad ratings")), ("unanswered", _("Bad ratings awaiting an answer"))])
    market = forms.ChoiceField(label=_("Market"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", _("All markets")), *((m.code, m.name) for m in Market.objects.all())]

    def filters(self) -> dict:
        show = self.cleaned_data["show"]
        return {"bad": bool(show), "unanswered": show == "unanswered", "market": self.cleaned_data["market"]}


def _rater_check(user) -> None:
    role_required(user, *RATERS)
    if user.organisation_id is None:
        raise PermissionDenied(_("Your account belongs to no organisation: the services rated here are an "
                                 "organisation's."))


def _rate_form(service_id: int, data=None) -> RateForm:
    # One form per service on the page: ids of their own.
    return RateForm(data, auto_id=f"id_%s_{service_id}")


def _mine_page(request, *, failed=None, status=200):
    """``failed``: (service id, its bound form, the error) after a refused rating."""
    now = clock.now()
    page = Paginator(service_list_own(organisation_id=request.user.organisation_id), PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    services = services_with_windows(page.object_list, now=now)
    for service in services:
        if service.given is not None:
            service.given.due_last_day = last_day(service.given.answer_due_at)
        if failed and failed[0] == service.pk:
            service.form, service.error = failed[1], failed[2]
        elif service.may_rate:
            service.form, service.error = _rate_form(service.pk), None
    return render(request, "monitoring/ratings/mine.html", {
        "page": page, "services": services, "organisation": request.user.organisation,
        "error": failed[2] if failed else None,
    }, status=status)


@login_required
def ratings_mine(request):
    _rater_check(request.user)
    return _mine_page(request)


@login_required
@require_POST
def rating_give_page(request, service_id: int):
    _rater_check(request.user)
    form = _rate_form(service_id, request.POST)
    if not form.is_valid():
        return _mine_page(request, failed=(service_id, form, _("Check the rating: see the message at its field.")),
                          status=400)
    try:
        rating_give(service_id=service_id, user=request.user, level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"])
    except RatingError as error:
        return _mine_page(request, failed=(service_id, form, error.message), status=error.status)
    messages.success(request, _("Thank you: your rating is recorded."))
    return redirect(reverse("ratings-mine") + f"#service-{service_id}")


def _since_year_start(now: datetime) -> datetime:
    local = now.astimezone(CHINA)
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _staff_page(request, *, failed=None, status=200):
    form = RatingFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    page = Paginator(rating_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    ratings = list(page.object_list)
    names = actor_names({rating.service.rendered_by for rating in ratings})
    may_answer = request.user.has_role(Role.STAFF)
    now = clock.now()
    for rating in ratings:
        rating.rendered_by_name = names.get(rating.service.rendered_by, "")
        rating.bad = rating.level in BAD_LEVELS
        rating.due_last_day = last_day(rating.answer_due_at)
        rating.overdue = bool(rating.bad and not rating.answered_at and rating.answer_due_at
                              and now >= rating.answer_due_at)
        if failed and failed[0] == rating.pk:
            rating.form, rating.error = failed[1], failed[2]
        elif may_answer and not rating.answered_at:
            rating.form, rating.error = AnswerForm(auto_id=f"id_%s_{rating.pk}"), None
    query = request.GET.copy()
    query.pop("page", None)
    year = satisfaction(since=_since_year_start(now), until=now)
    return render(request, "monitoring/ratings/staff.html", {
        "form": form, "page": page, "ratings": ratings, "may_answer": may_answer, "query": query.urlencode(),
        "error": failed[2] if failed else None,
        "year": year, "year_number": now.astimezone(CHINA).year,
        "year_percent": (year.rate * 100).quantize(Decimal("0.1")) if year.rate is not None else None,
    }, status=status)


@login_required
def ratings_staff(request):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    return _staff_page(request)


@login_required
@require_POST
def rating_answer_page(request, rating_id: int):
    role_required(request.user, Role.STAFF)
    form = AnswerForm(request.POST, auto_id=f"id_%s_{rating_id}")
    if not form.is_valid():
        return _staff_page(request, failed=(rating_id, form, _("Write the centre's answer.")), status=400)
    try:
        rating_answer(rating_id=rating_id, user=request.user, answer=form.cleaned_data["answer"])
    except RatingError as error:
        return _staff_page(request, failed=(rating_id, form, error.message), status=error.status)
    messages.success(request, _("The answer is recorded and the rater is told."))
    return redirect(reverse("ratings-staff") + f"#rating-{rating_id}")


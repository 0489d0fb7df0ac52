"""Pages of roles and notices: a person's own account and notices; the security administrator's
people, grants awaiting a second person, and the grant history. Security administrators see these
pages and nothing of the deals."""
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trading.accounts.selectors import (actor_names, may_manage_roles, notifications_for, people_list,
                                        role_changes_list, with_actor_names)
from trading.accounts.services.people import user_lock, user_unlock
from trading.accounts.services.roles import role_change_approve, role_grant, role_revoke
from trading.accounts.services.second_factor import second_factor_reset
from trading.errors import PlatformError
from trading.models import TWO_PERSON_ROLES, Role, RoleChange, User
from trading.services.notifications import notification_read


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class GrantForm(ReasonForm):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


def _security_page(request):
    """Anonymous people sign in; anyone without the security-administrator role gets 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_manage_roles(request.user):
        raise PermissionDenied(_("This page is only for security administrators."))
    return None


def account(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    notices = Paginator(notifications_for(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "trading/accounts/account.html", {
        "roles": sorted(request.user.roles.all(), key=lambda grant: grant.role),
        "notices": notices,
        "history": with_actor_names(role_changes_list(user_id=request.user.pk)[:50]),
    })


@require_POST
def notices_read(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    notice = request.POST.get("notice")
    notification_read(user=request.user, notification_id=int(notice) if notice and notice.isdigit() else None)
    return redirect("account")


def people(request):
    if (refusal := _security_page(request)) is not None:
        return refusal
    query, role = request.GET.get("q", "").strip(), request.GET.get("role", "")
    page = Paginator(people_list(query=query, role=role if role in Role.values else ""), 50).get_page(
        request.GET.get("page"))
    return render(request, "trading/accounts/security_people.html", {
        "page": page, "q": query, "role": role, "roles": Role.choices,
        "proposed": role_changes_list(status=RoleChange.Status.PROPOSED).count(),
    })


def _person_page(request, person: User, *, error=None, form=None, status=200):
    return render(request, "trading/accounts/security_person.html", {
        "person": person, "held": sorted(person.roles.all(), key=lambda grant: grant.role),
        "history": with_actor_names(role_changes_list(user_id=person.pk)), "error": error, "form": form or GrantForm(),
        "locked_by": actor_names([person.locked_by]).get(person.locked_by, "") if person.locked_by else "",
        "two_person_roles": [Role(role).label for role in sorted(TWO_PERSON_ROLES)],
    }, status=status)


def person(request, user_id: int):
    if (refusal := _security_page(request)) is not None:
        return refusal
    return _person_page(request, get_object_or_404(User, pk=user_id))


@require_POST
def person_act(request, user_id: int, action: str):
    """Grant, revoke, lock, unlock or reset the second factor, with a reason; a refusal shows its
    message and changes nothing."""
    if action not in ("grant", "revoke", "lock", "unlock", "reset-second-factor"):
        raise Http404
    if (refusal := _security_page(request)) is not None:
        return refusal
    target = get_object_or_404(User, pk=user_id)
    form = GrantForm(request.POST) if action == "grant" else ReasonForm(request.POST)
    if not form.is_valid():
        return _person_page(request, target, error=_("Give a role and a reason."), status=400)
    reason = form.cleaned_data["reason"]
    try:
        if action == "grant":
            role_grant(user=target, role=form.cleaned_data["role"], reason=reason, grantor=request.user)
        elif action == "revoke":
            role_revoke(user=target, role=request.POST.get("role", ""), reason=reason, grantor=request.user)
        elif action == "lock":
            user_lock(user=target, by=request.user, reason=reason)
        elif action == "reset-second-factor":
            second_factor_reset(user=target, by=request.user, reason=reason)
        else:
            user_unlock(user=target, by=request.user, reason=reason)
    except PlatformError as error:
        return _person_page(request, User.objects.get(pk=user_id), error=error.message, status=error.status)
    return redirect("security-person", user_id=user_id)


def proposals(request, *, error=None, status=200):
    if (refusal := _security_page(request)) is not None:
        return refusal
    return render(request, "trading/accounts/security_proposals.html", {
        "pending": with_actor_names(role_changes_list(status=RoleChange.Status.PROPOSED)), "error": error,
    }, status=status)


@require_POST
def proposal_decide(request, change_id: int):
    if (refusal := _security_page(request)) is not None:
        return refusal
    try:
        role_change_approve(change_id=change_id, approver=request.user, approve=request.POST.get("decision") == "approve",
                            reason=request.POST.get("reason", ""))
    except PlatformError as error:
        return proposals(request, error=error.message, status=error.status)
    return redirect("security-proposals")


def history(request):
    if (refusal := _security_page(request)) is not None:
        return refusal
    role, status = request.GET.get("role", ""), request.GET.get("status", "")
    page = Paginator(role_changes_list(role=role if role in Role.values else "",
                                       status=status if status in RoleChange.Status.values else ""), 50).get_page(
        request.GET.get("page"))
    return render(request, "trading/accounts/security_history.html", {
        "page": page, "changes": with_actor_names(page), "role": role, "status": status, "roles": Role.choices,
        "statuses": RoleChange.Status.choices,
    })

"""Pages of the trading app: sign-in, the role-aware home page, the public project list."""
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trading.accounts.selectors import second_factor_needed
from trading.forms import LoginForm
from trading.models import Role

# What each role can do, shown on the home page. A link appears only where its page exists.
WORKSPACES = {
    Role.BIDDER: (_("Bidder workspace"), [
        ("lot-list", _("Find lots"), _("Lots of every market open for registration, with their schedule and status.")),
        ("announcement-list", _("Announcements"), _("Tender and listing announcements, amendments and results.")),
        ("company-mine", _("Your company"), _("Bids are made in its name and unified social credit code; its administrator keeps its particulars and people.")),
        ("api-docs", _("Connect your own system"), _("Use the REST API with a token to follow lots and submit sealed bids.")),
    ]),
    Role.COMPANY_ADMIN: (_("Company administrator workspace"), [
        ("company-mine", _("Your company's people"), _("Add and remove the people who act for your company; ask staff to record a change of its particulars.")),
    ]),
    Role.STAFF: (_("Trading-centre workspace"), [
        ("staff-lot-list", _("Projects and lots"), _("Create, review and publish projects; follow every lot's status.")),
        ("company-reviews", _("Company reviews"), _("Approve or refuse companies that signed up, and their changes of particulars.")),
        ("calendar", _("Working-day calendar"), _("Holidays and make-up workdays; confirm each year once it is official.")),
        ("rules", _("Rule table"), _("Time limits and thresholds with their legal limits; a change needs a second person.")),
        ("staff-supervisors", _("Social supervisor registry"), _("Recommend, vet and appoint social supervisors; sanctions, evaluations and renewals.")),
        ("admin:index", _("Reference data"), _("Markets and procedures; people, companies and rules are looked up there and changed on their own pages.")),
    ]),
    Role.CUSTODIAN: (_("Key custodian workspace"), [
        ("custodian-key", _("Your custodian key"), _("Make the key your shares are sealed to; only your passphrase unlocks it.")),
        (None, _("Opening key shares"), _("At an opening you hold a share for, you present it with your passphrase; k of n custodians open the bids together.")),
    ]),
    Role.EXPERT: (_("Expert workspace"), [
        (None, _("Evaluations"), _("Panels you are drawn for appear here; declare any conflict before you see a bid.")),
    ]),
    Role.SUPERVISOR: (_("Social supervisor workspace"), [
        ("supervision-workbench", _("Supervisor's workbench"), _("Accept or recuse from the sessions you are drawn for, your certificate and term, reports due.")),
        ("lot-list", _("Openings and auctions"), _("Watch the sessions you are assigned to, live, and write your observations.")),
    ]),
    Role.SECURITY_ADMIN: (_("Security administrator workspace"), [
        ("security-people", _("People and roles"), _("Grant and revoke roles with a reason; lock and unlock accounts.")),
        ("security-proposals", _("Grants awaiting a second person"), _("Regulator and custodian grants take two security administrators.")),
        ("security-history", _("Grant history"), _("Every grant and revocation: who, whom, which role, why and when.")),
    ]),
    Role.REGULATOR: (_("Regulator workspace"), [
        ("audit-status", _("Audit trail"), _("Check that the record of every step is complete and unaltered.")),
        ("lot-list", _("Projects and lots"), _("Follow every lot and review awards.")),
    ]),
}


def _workspaces(user):
    result = []
    for role, (title, items) in WORKSPACES.items():
        if user.has_role(role):
            result.append({
                "role": role.value,
                "title": title,
                "items": [{"url": reverse(name) if name else None, "title": t, "text": text} for name, t, text in items],
            })
    return result


def home(request):
    workspaces = _workspaces(request.user) if request.user.is_authenticated else []
    return render(request, "trading/home.html", {"workspaces": workspaces})


def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)
        if second_factor_needed(form.user):  # the code step lets a session verified already through
            step = reverse("login-second-factor")
            return redirect(f"{step}?{urlencode({'next': next_url})}" if next_url else step)
        return redirect(next_url or "home")
    status = 200 if request.method == "GET" or form.is_valid() else 400
    return render(request, "trading/login.html",
                  {"form": form, "next": next_url, "demo_codes": settings.PLATFORM_DEMO_CODES}, status=status)


@require_POST
def logout(request):
    auth_logout(request)
    return redirect("home")

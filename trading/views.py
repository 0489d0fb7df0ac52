"""Pages of the trading app: signing in and out (the home page is the portal's, ``monitoring.portal``)."""
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from trading.accounts.selectors import second_factor_needed
from trading.forms import LoginForm


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

"""Pages of the second factor: the code step of a sign-in, setting up an authenticator (QR code,
secret, confirmation, recovery codes shown once), and the demo's page of current codes.

A person who needs a second factor and gave only the password is half signed in: ``SecondFactorMiddleware``
sends every other page here, so these pages decide only between the code step and the set-up."""
import time
from base64 import b32encode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.oath import totp

from trading.accounts.selectors import second_factor_needed
from trading.accounts.services.second_factor import (demo_devices_list, second_factor_verify, totp_confirm,
                                                     totp_device_create, totp_device_get)
from trading.errors import PlatformError


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32,
                           help_text=_("The six digits your authenticator shows now, or one of your recovery codes."))


class SetupCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16,
                           help_text=_("The six digits your authenticator shows now."))


def _next_url(request) -> str:
    """Where the sign-in goes on to: a page of this site only, as the password step checks."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return next_url if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) else ""


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}" if next_url else reverse(name)


def second_factor(request):
    """The code step: a current authenticator code or an unused recovery code."""
    user, next_url = request.user, _next_url(request)
    if not user.is_authenticated:
        return redirect_to_login(next_url or reverse("home"))
    if not second_factor_needed(user) or user.is_verified():
        return redirect(next_url or "home")
    if totp_device_get(user) is None:
        return redirect(_with_next("login-second-factor-setup", next_url))
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_verify(request, user, form.cleaned_data["code"])
        except PlatformError as refusal:
            error = refusal
        else:
            return redirect(next_url or "home")
    status = 200 if request.method == "GET" else 400
    return render(request, "trading/accounts/second_factor.html",
                  {"form": form, "error": error, "next": next_url}, status=status)


def second_factor_setup(request):
    """Setting up the authenticator, once: scan the QR code (or type the secret), confirm with a
    code, then keep the recovery codes, which this page shows once. Only for a person without a
    confirmed authenticator, so a stolen password never replaces one."""
    user, next_url = request.user, _next_url(request)
    if not user.is_authenticated:
        return redirect_to_login(next_url or reverse("home"))
    if not second_factor_needed(user) or totp_device_get(user) is not None:
        return redirect(_with_next("login-second-factor", next_url))
    form = SetupCodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_confirm(user, form.cleaned_data["code"])
        except PlatformError as refusal:
            error = refusal
        else:
            django_otp.login(request, device)
            return render(request, "trading/accounts/second_factor_codes.html",
                          {"codes": codes, "next": next_url or reverse("home")})
    device = totp_device_create(user)
    secret = b32encode(device.bin_key).decode()
    # segno's SVG is markup it builds itself from the URI: no text of a person's reaches it unescaped.
    qr = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, title=str(_("Authenticator QR code"))))
    status = 200 if request.method == "GET" else 400
    return render(request, "trading/accounts/second_factor_setup.html", {
        "form": form, "error": error, "next": next_url, "qr": qr,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }, status=status)


def demo_codes(request):
    """The demo's accounts with their current codes, so a newcomer signs in as any role at once;
    only where ``PLATFORM_DEMO_CODES`` is on (the embedded demo), never in production."""
    if not settings.PLATFORM_DEMO_CODES:
        raise Http404
    now = int(time.time())
    rows = [{
        "user": device.user,
        "code": f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}",
        "seconds_left": device.step - (now - device.t0) % device.step,
    } for device in demo_devices_list()]
    return render(request, "trading/accounts/demo_codes.html", {
        "rows": rows, "seconds_left": min((row["seconds_left"] for row in rows), default=30),
    })

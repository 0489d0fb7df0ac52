"""Sessions of the roles that need a second factor (``SECOND_FACTOR_ROLES``) are only half signed in
until the person gives a current code: pages send them to the code step (or to set up their
authenticator), the API answers 403 ``second_factor_required``. Runs after django-otp's
``OTPMiddleware``, which tells whether the session was verified."""
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from trading.accounts.selectors import second_factor_needed

# Pages a half-signed-in person may still open: the code step, setting it up, signing out, and the
# static files and translations those pages need.
OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/i18n/", "/jsi18n/", "/demo/codes/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not request.path.startswith(OPEN_PREFIXES)
                and second_factor_needed(user) and not user.is_verified()):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "second_factor_required",
                                     "detail": _("Give the code of your authenticator first (sign in again).")},
                                    status=403)
            return redirect(f"{reverse('login-second-factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

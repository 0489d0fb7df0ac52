"""Rate limits on what anyone could repeat to swamp the platform or the people behind it: signing a
company up, submitting a bid, filing a public report (issue 22). Signing in has its own limit, on
failures (``trading.accounts``: 5 per account or 20 per address in 15 minutes).

django-ratelimit counts each group's attempts in the cache, a fixed window per key: Redis in
services mode, so every server process counts together; the process's memory in embedded mode,
which has one. ``PLATFORM_RATE_LIMITS`` gives each group's rate ("10/h"), or None for no limit; it is
read at each request. Only changes (POST and the like) are counted. Beyond the rate the request is
refused before the view runs and changes nothing: 429 ``rate_limited``, JSON under ``/api/``, the
site's page elsewhere (``trading.views_errors.rate_limited``)."""
from django.conf import settings
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_ratelimit import UNSAFE
from django_ratelimit.decorators import ratelimit

RATE_LIMITED = _("Too many attempts of this kind from you in a short time; nothing was done. Try again later.")
# Whose attempts are counted together in each group: a signed-in person, or else the address.
KEYS = {"sign_up": "ip", "bid": "user_or_ip", "report": "user_or_ip"}


def _rate(group: str, request) -> str | None:
    return settings.PLATFORM_RATE_LIMITS.get(group)


def rate_limited(group: str):
    """Decorate a view function: its changes count in ``group``."""
    return ratelimit(group=group, key=KEYS[group], rate=_rate, method=UNSAFE)


def rate_limited_api(group: str):
    """Decorate an API view class: its POSTs count in ``group``."""
    return method_decorator(rate_limited(group), name="post")

"""Values every page's layout needs."""
import functools

from trading.models import Notification


def unread_notices(request) -> dict:
    """``unread_notices``: how many notices the signed-in person has not read, for the header. A
    callable the template resolves on first use and remembers, so a page that does not show the
    header (or an anonymous visitor) costs no query, and one that does costs one count on the
    (user, read_at) index."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}

    @functools.cache
    def count() -> int:
        return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()

    return {"unread_notices": count}

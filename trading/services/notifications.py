"""Notices to one person: a row for their notices page, and a mail after commit when their address
is verified. Every app notifies through ``notify``."""
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from trading import clock
from trading.models import Notification, User


def _rendered(text, params: dict) -> str:
    return str(text) % {key: str(value) for key, value in params.items()} if params else str(text)


def notify(*, user: User, kind: str, title, body="", params: dict | None = None, link: str = "") -> Notification:
    """Tell ``user`` something. ``title`` and ``body`` are lazy translatable strings with
    ``%(name)s`` placeholders filled from ``params`` (whose values may be lazy too); both languages
    are written now, so the notice reads in each reader's language later."""
    params = params or {}
    texts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts[language] = (_rendered(title, params)[:200], _rendered(body, params) if body else "")
    notice = Notification.objects.create(
        user=user, kind=kind, link=link, created_at=clock.now(),
        title_zh=texts["zh-hans"][0], body_zh=texts["zh-hans"][1],
        title_en=texts["en"][0], body_en=texts["en"][1],
    )
    if user.email and user.email_verified_at:
        message = "\n\n".join(part for part in (notice.body_zh, link, "—", notice.title_en, notice.body_en) if part)
        transaction.on_commit(lambda: send_mail(notice.title_zh, message, settings.DEFAULT_FROM_EMAIL, [user.email],
                                                fail_silently=True))
    return notice


def notification_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one notice (or all of them) of ``user`` read; returns how many changed."""
    notices = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        notices = notices.filter(pk=notification_id)
    return notices.update(read_at=clock.now())

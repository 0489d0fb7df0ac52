"""Notices to one person: a row for their notices page, and one delivery per channel that reaches
them (mail to a verified address, a text message to their mobile), sent after commit. Every app
notifies through ``notify``.

Nothing is lost to an outage. A delivery is written with its notice, in the caller's transaction,
and stays ``pending`` until a send succeeds. After commit it is sent at once: in the server process
in the embedded mode, by the Celery task ``platform.delivery_send`` in services mode. A failed send
keeps its error, counts the attempt and waits a doubling backoff for ``deliveries_retry_sweep``;
after ``PLATFORM_DELIVERY_MAX_ATTEMPTS`` attempts it is given up (``failed``) and stays on record.
A delivery whose first send never ran (the process died after the commit, the broker was down) is
due for the sweep ``PLATFORM_DELIVERY_RETRY_SECONDS`` after it was made.
"""
import functools
import logging
from collections import Counter
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation

from trading import clock
from trading.models import Delivery, Notification, User
from trading.sms import send_sms

log = logging.getLogger(__name__)

SEND_TASK = "platform.delivery_send"
# A sender holds a delivery this long: the sweep leaves it alone meanwhile, and takes it again
# after, should the sender have died mid-send.
LEASE = timedelta(minutes=5)
SMS_MAX = 200
ERROR_MAX = 2000


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
    now = clock.now()
    notice = Notification.objects.create(
        user=user, kind=kind, link=link, created_at=now,
        title_zh=texts["zh-hans"][0], body_zh=texts["zh-hans"][1],
        title_en=texts["en"][0], body_en=texts["en"][1],
    )
    addresses = []
    if user.email and user.email_verified_at:
        addresses.append((Delivery.Channel.EMAIL, user.email))
    if user.mobile:
        addresses.append((Delivery.Channel.SMS, user.mobile))
    due = now + timedelta(seconds=settings.PLATFORM_DELIVERY_RETRY_SECONDS)
    ids = [Delivery.objects.create(notification=notice, channel=channel, address=address, next_attempt_at=due).pk
           for channel, address in addresses]
    if ids:
        transaction.on_commit(functools.partial(_dispatch, ids))
    return notice


def _dispatch(delivery_ids: list[int]) -> None:
    """After commit: send now, or hand each delivery to the workers. Whatever fails here leaves the
    deliveries pending for the sweep; it must not fail the request that already committed."""
    for delivery_id in delivery_ids:
        try:
            if settings.PLATFORM_INPROCESS_SWEEPS:
                delivery_send(delivery_id)
            else:
                current_app.send_task(SEND_TASK, args=[delivery_id])
        except Exception:  # the broker or the database is down: the sweep sends it later
            log.exception("delivery %s not sent after commit; the retry sweep will", delivery_id)


def _mail(notice: Notification, address: str) -> None:
    message = "\n\n".join(part for part in (notice.body_zh, notice.link, "—", notice.title_en, notice.body_en) if part)
    send_mail(notice.title_zh, message, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def _text_message(notice: Notification, address: str) -> None:
    text = f"{notice.title_zh}：{notice.body_zh}" if notice.body_zh else notice.title_zh
    send_sms(address, text[:SMS_MAX])


SENDERS = {Delivery.Channel.EMAIL: _mail, Delivery.Channel.SMS: _text_message}


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.PLATFORM_DELIVERY_RETRY_SECONDS * 2 ** (attempts - 1))


def delivery_send(delivery_id: int) -> str:
    """Send one pending delivery whose first send is yet to come or whose retry is due. Returns its
    status afterwards, or ``"skipped"`` when there was nothing to do: it is sent, given up, gone,
    not due, or another sender has it. A sender first claims it by a conditional update of its
    attempt count, so two senders (the after-commit task and the sweep) never both send it."""
    now = clock.now()
    delivery = (Delivery.objects.select_related("notification")
                .filter(Q(attempts=0) | Q(next_attempt_at__lte=now), pk=delivery_id, status=Delivery.Status.PENDING)
                .first())
    if delivery is None:
        return "skipped"
    attempt = delivery.attempts + 1
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING,
                                      attempts=delivery.attempts).update(attempts=F("attempts") + 1,
                                                                         next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped"
    try:
        SENDERS[delivery.channel](delivery.notification, delivery.address)
    except Exception as error:  # whatever the backend raised: kept on the delivery, which is retried
        given_up = attempt >= settings.PLATFORM_DELIVERY_MAX_ATTEMPTS
        status = Delivery.Status.FAILED if given_up else Delivery.Status.PENDING
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, last_error=f"{type(error).__name__}: {error}"[:ERROR_MAX],
            next_attempt_at=None if given_up else clock.now() + _backoff(attempt))
        log.warning("delivery %s (%s) attempt %s failed: %s", delivery.pk, delivery.channel, attempt, error)
        return status
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=clock.now(),
                                                   next_attempt_at=None)
    return Delivery.Status.SENT


def deliveries_retry_sweep(*, limit: int = 200) -> dict:
    """Send the pending deliveries that are due, oldest first (a timed sweep: beat runs it in
    services mode, the server's thread in the embedded mode). Returns a count per outcome."""
    due = (Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=clock.now())
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return dict(Counter(delivery_send(delivery_id) for delivery_id in list(due)))


def notification_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one notice (or all of them) of ``user`` read; returns how many changed."""
    notices = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        notices = notices.filter(pk=notification_id)
    return notices.update(read_at=clock.now())

"""Notices reach people: one delivery per channel (mail to a verified address, a text message to a
mobile), sent after commit; a failed send stays pending and the retry sweep sends it later, or
gives up after the set number of attempts with the notice still in the inbox; in services mode a
real Celery worker sends; the header shows the unread count."""
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.models import Notification, User
from trading.services.notifications import deliveries_retry_sweep, notification_read, notify

pytestmark = pytest.mark.django_db

MOBILE = "13800138000"


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server unreachable")


@pytest.fixture
def embedded(settings, tmp_path):
    """The embedded mode's after-commit send, mail in Django's test outbox, texts as files."""
    settings.PLATFORM_INPROCESS_SWEEPS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PLATFORM_SMS_BACKEND = "trading.sms.FileBackend"
    settings.PLATFORM_SMS_FILE_PATH = tmp_path / "sms"
    return settings


def _reachable(user: User, *, email: str = "", verified: bool = True, mobile: str = "") -> User:
    """The person's address (checked or not) and mobile, as their account keeps them."""
    User.objects.filter(pk=user.pk).update(email=email, email_verified_at=clock.now() if verified else None,
                                           mobile=mobile)
    user.refresh_from_db()
    return user


def _texts(settings) -> list[str]:
    folder = Path(settings.PLATFORM_SMS_FILE_PATH)
    return [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))] if folder.exists() else []


def _tell(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(user=user, kind="test.done", title=_("Your matter %(case)s is done"),
                      body=_("Reason: %(reason)s"), params={"case": "JB-2026-000001", "reason": "已办结"},
                      link="/report/follow/abc/")


def test_a_notice_goes_by_mail_and_text_message_after_commit(embedded, bidder_a, bidder_b,
                                                             django_capture_on_commit_callbacks):
    reachable = _reachable(bidder_a, email="a@example.cn", mobile=MOBILE)
    unverified = _reachable(bidder_b, email="b@example.cn", verified=False)
    notice = _tell(reachable, django_capture_on_commit_callbacks)
    quiet = _tell(unverified, django_capture_on_commit_callbacks)

    sent = {d.channel: d for d in notice.deliveries.all()}
    assert set(sent) == {"email", "sms"}
    assert all(d.status == "sent" and d.attempts == 1 and d.sent_at and not d.last_error for d in sent.values())
    assert (sent["email"].address, sent["sms"].address) == ("a@example.cn", MOBILE)
    (message,) = mail.outbox
    assert message.to == ["a@example.cn"] and message.subject == notice.title_zh
    assert "JB-2026-000001" in message.subject and "/report/follow/abc/" in message.body
    (text,) = _texts(embedded)
    assert text.startswith(f"To: {MOBILE}\n") and notice.title_zh in text and "已办结" in text
    assert not quiet.deliveries.exists(), "an unverified address gets no mail, and there is no mobile"
    assert Notification.objects.filter(user=unverified, kind="test.done").count() == 1


def test_the_console_backend_prints_a_text_message(settings, capsys):
    from trading.sms import send_sms

    settings.PLATFORM_SMS_BACKEND = "trading.sms.ConsoleBackend"
    send_sms(MOBILE, "您的举报已答复")
    assert capsys.readouterr().out == f"SMS to {MOBILE}: 您的举报已答复\n"


def test_a_failed_mail_stays_pending_and_the_sweep_sends_it_later(embedded, bidder_a,
                                                                  django_capture_on_commit_callbacks):
    user = _reachable(bidder_a, email="a@example.cn")
    embedded.EMAIL_BACKEND = "trading.tests.test_notifications.RefusingBackend"
    with time_machine.travel(clock.now(), tick=False) as traveller:
        notice = _tell(user, django_capture_on_commit_callbacks)
        delivery = notice.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.sent_at) == ("pending", 1, None)
        assert "mail server unreachable" in delivery.last_error
        assert delivery.next_attempt_at == clock.now() + timedelta(seconds=embedded.PLATFORM_DELIVERY_RETRY_SECONDS)

        embedded.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert deliveries_retry_sweep() == {}, "not due yet"
        traveller.shift(timedelta(seconds=embedded.PLATFORM_DELIVERY_RETRY_SECONDS))
        assert deliveries_retry_sweep() == {"sent": 1}
        assert deliveries_retry_sweep() == {}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 2, None)
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]


def test_a_delivery_is_given_up_after_the_set_attempts_and_the_notice_stays(embedded, bidder_a,
                                                                           django_capture_on_commit_callbacks):
    user = _reachable(bidder_a, email="a@example.cn")
    embedded.EMAIL_BACKEND = "trading.tests.test_notifications.RefusingBackend"
    embedded.PLATFORM_DELIVERY_MAX_ATTEMPTS = 3
    with time_machine.travel(clock.now(), tick=False) as traveller:
        notice = _tell(user, django_capture_on_commit_callbacks)
        waits = []
        for _attempt in range(2):
            delivery = notice.deliveries.get()
            waits.append(delivery.next_attempt_at - clock.now())
            traveller.move_to(delivery.next_attempt_at)
            deliveries_retry_sweep()
        traveller.shift(timedelta(days=1))
        assert deliveries_retry_sweep() == {}
    delivery = notice.deliveries.get()
    retry = timedelta(seconds=embedded.PLATFORM_DELIVERY_RETRY_SECONDS)
    assert waits == [retry, 2 * retry], "the wait doubles"
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert "mail server unreachable" in delivery.last_error
    assert Notification.objects.filter(pk=notice.pk, read_at__isnull=True).exists()
    assert not mail.outbox


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_services_mode_a_real_celery_worker_sends_after_commit(celery_worker_live, settings, make_person,
                                                                  tmp_path):
    settings.PLATFORM_INPROCESS_SWEEPS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PLATFORM_SMS_BACKEND = "trading.sms.FileBackend"
    settings.PLATFORM_SMS_FILE_PATH = tmp_path / "sms"
    user = _reachable(make_person("notified", ["bidder"], organisation="丙建设有限公司"), email="c@example.cn",
                      mobile=MOBILE)
    with transaction.atomic():
        notice = notify(user=user, kind="test.done", title=_("Your matter %(case)s is done"),
                        params={"case": "JB-2026-000002"})
        assert set(notice.deliveries.values_list("status", flat=True)) == {"pending"}
    deadline = time.monotonic() + 30
    while notice.deliveries.exclude(status="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(notice.deliveries.values_list("status", "attempts")) == {("sent", 1)}
    assert [m.to for m in mail.outbox if "JB-2026-000002" in m.subject] == [["c@example.cn"]]
    assert len(_texts(settings)) == 1


def _unread(page: str) -> str | None:
    """The header's unread count, or None when it shows none."""
    if 'data-testid="unread"' not in page:
        return None
    return page.split('data-testid="unread"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_the_header_shows_the_unread_count_with_one_query_until_read(client, bidder_a):
    notification_read(user=bidder_a)  # the notice of the bidder role granted to the fixture
    notify(user=bidder_a, kind="test.done", title=_("Your matter %(case)s is done"), params={"case": "1"})
    notify(user=bidder_a, kind="test.done", title=_("Your matter %(case)s is done"), params={"case": "2"})
    client.force_login(bidder_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("lot-list")).content.decode()
    assert _unread(page) == "2"
    assert len([q for q in queries if "trading_notification" in q["sql"]]) == 1

    first = Notification.objects.filter(user=bidder_a, kind="test.done").order_by("pk").first()
    client.post(reverse("account-notices-read"), {"notice": first.pk})
    assert _unread(client.get(reverse("lot-list")).content.decode()) == "1"
    client.post(reverse("account-notices-read"))
    assert _unread(client.get(reverse("lot-list")).content.decode()) is None
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        assert _unread(client.get(reverse("lot-list")).content.decode()) is None
    assert not [q for q in queries if "trading_notification" in q["sql"]]

"""Announcements are immutable once published; corrections and notices are new announcements."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from tests.fixtures import PASSWORD
from trading.errors import TradingError
from trading.models import Announcement, Lot
from trading.services.announcements import announcement_correct, announcement_publish
from trading.services.lots import lot_publish, lot_submit
from trading.services.moves import lot_transition

ACTOR = "user:1"


@pytest.fixture
def published(make_lot):
    lot = make_lot("construction")
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    announcement = lot_publish(lot_id=lot.pk, title="招标公告", body="原文", actor=ACTOR)
    return lot, announcement


@pytest.mark.django_db
def test_a_correction_is_a_new_announcement_and_the_original_stays(published):
    lot, original = published
    correction = announcement_correct(announcement_id=original.pk, title="更正公告", body="更正后的内容", actor=ACTOR)
    assert correction.supersedes == original and correction.kind == Announcement.Kind.CORRECTION
    original.refresh_from_db()
    assert original.body == "原文"
    assert list(lot.announcements.values_list("kind", flat=True)) == ["tender", "correction"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")
def test_the_database_refuses_to_change_or_delete_a_published_announcement(published):
    _, original = published
    for attempt in (lambda: Announcement.objects.filter(pk=original.pk).update(body="改过的"),
                    lambda: Announcement.objects.filter(pk=original.pk).delete()):
        with pytest.raises(IntegrityError, match="a published announcement is immutable"):
            with transaction.atomic():
                attempt()
    assert Announcement.objects.get(pk=original.pk).body == "原文"


@pytest.mark.django_db
def test_a_failure_notice_only_for_a_failed_lot(published):
    lot, _ = published
    with pytest.raises(TradingError) as caught:
        announcement_publish(lot_id=lot.pk, kind="failure", title="流标公告", body="……", actor=ACTOR)
    assert caught.value.code == "announcement_not_allowed"
    lot_transition(lot_id=lot.pk, transition="fail", actor=ACTOR)
    notice = announcement_publish(lot_id=lot.pk, kind="failure", title="流标公告", body="投标人不足三家。", actor=ACTOR)
    assert notice.kind == "failure" and Lot.objects.get(pk=lot.pk).status == Lot.Status.FAILED


@pytest.mark.django_db
def test_corrections_and_notices_through_the_api_and_the_pages(published, staff, client):
    lot, original = published
    api = APIClient()
    api.force_authenticate(staff)
    response = api.post(reverse("api-announcement-correct", args=[original.pk]), {"title": "更正", "body": "新"})
    assert response.status_code == 201 and response.json()["supersedes"] == original.pk
    refused = api.post(reverse("api-lot-announcements", args=[lot.pk]), {"kind": "result", "title": "结果", "body": "……"})
    assert refused.status_code == 409 and refused.json()["code"] == "announcement_not_allowed"

    client.login(username="staff", password=PASSWORD)
    client.post(reverse("staff-lot-action", args=[lot.pk, "correct"]),
                {"announcement": original.pk, "title": "第二次更正", "body": "再更正"})
    page = client.get(reverse("lot-detail", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第二次更正" in page and "原文" in page

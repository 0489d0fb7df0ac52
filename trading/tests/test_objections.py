"""Objections to tender documents (招标投标法实施条例 Art 22): filed by registered bidders no later
than 10 days before the bid deadline, replied to within 3 days, the procedure suspended meanwhile,
and never a word to the lot's public or live room about who objected."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from tests.fixtures import PASSWORD
from trading import clock
from trading.errors import TradingError
from trading.models import DocumentObjection, Lot, LotStatusChange
from trading.selectors_objections import objection_list_overdue
from trading.services.lots import lot_publish, lot_submit
from trading.services.objections import SYSTEM, objection_file, objection_reply
from trading.services.registrations import registration_create
from trading.workdays import day_end, local_day

# The lead includes these at the site root and under /api/v1/; until then the tests mount them.
pytestmark = pytest.mark.django_db

ACTOR = "user:1"
TEXT = "评标办法第3.2条要求的业绩证明与资格条件相互矛盾，请澄清。"
REPLY = "经核查，以资格条件为准，招标文件将随澄清公告修改。"


def refused(code, call, **kwargs):
    with pytest.raises(TradingError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.fixture
def lot(make_lot):
    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    return lot


@pytest.fixture
def objector(lot, bidder_a):
    registration_create(lot_id=lot.pk, user=bidder_a)
    return bidder_a


@pytest.fixture
def second(lot, bidder_b):
    registration_create(lot_id=lot.pk, user=bidder_b)
    return bidder_b


def days_before_deadline(lot, days):
    return time_machine.travel(lot.bid_deadline - timedelta(days=days), tick=False)


def suspensions(lot):
    return LotStatusChange.objects.filter(lot=lot, transition="suspend").count()


def test_rule_documents_objection_filed_11_days_before_the_deadline_suspends_the_lot(lot, objector):
    with days_before_deadline(lot, 11):
        objection = objection_file(lot_id=lot.pk, user=objector, text=f"  {TEXT}\n")
    lot.refresh_from_db()
    assert (lot.status, lot.suspended_from, lot.next_due_at) == (Lot.Status.SUSPENDED, Lot.Status.BIDDING, None)
    assert (objection.organisation, objection.filed_by, objection.text, objection.replied_at) == (
        objector.organisation, objector, TEXT, None)
    change = LotStatusChange.objects.filter(lot=lot).last()
    assert (change.transition, change.actor) == ("suspend", SYSTEM)
    filed = AuditEntry.objects.get(kind="objection.filed")
    assert filed.subject == f"objection:{objection.pk}" and filed.data["lot"] == lot.pk


def test_rule_documents_objection_9_days_before_the_deadline_is_refused_and_changes_nothing(lot, objector):
    last_day = local_day(lot.bid_deadline) - timedelta(days=10)
    events_before = AuditEntry.objects.count()
    with days_before_deadline(lot, 9):
        error = refused("documents_objection", objection_file, lot_id=lot.pk, user=objector, text=TEXT)
    assert error.status == 409 and last_day.isoformat() in str(error.message) and "第二十二条" in str(error.message)
    # The last allowed day counts whole, to 24:00 in China; from the next day on, refused.
    with time_machine.travel(day_end(last_day), tick=False):
        refused("documents_objection", objection_file, lot_id=lot.pk, user=objector, text=TEXT)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and suspensions(lot) == 0
    assert not DocumentObjection.objects.exists() and AuditEntry.objects.count() == events_before
    with time_machine.travel(day_end(last_day) - timedelta(seconds=1), tick=False):
        objection_file(lot_id=lot.pk, user=objector, text=TEXT)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.SUSPENDED


def test_rule_documents_objection_two_objections_keep_one_suspension_until_both_are_answered(
        lot, objector, second, staff):
    with days_before_deadline(lot, 20):
        first = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
        other = objection_file(lot_id=lot.pk, user=second, text="第二份异议")
        objection_reply(objection_id=first.pk, reply=REPLY, actor=f"user:{staff.pk}")
        lot.refresh_from_db()
        assert lot.status == Lot.Status.SUSPENDED and suspensions(lot) == 1
        refused("objection_already_replied", objection_reply, objection_id=first.pk, reply=REPLY, actor=ACTOR)
        # Filed while the lot is suspended by the open objection: the same suspension holds it.
        third = objection_file(lot_id=lot.pk, user=objector, text="补充异议")
        objection_reply(objection_id=other.pk, reply=REPLY, actor=f"user:{staff.pk}")
        lot.refresh_from_db()
        assert lot.status == Lot.Status.SUSPENDED
        objection_reply(objection_id=third.pk, reply=REPLY, actor=f"user:{staff.pk}")
    lot.refresh_from_db()
    assert (lot.status, lot.suspended_from, lot.next_due_at) == (Lot.Status.BIDDING, "", lot.bid_deadline)
    assert suspensions(lot) == 1
    assert LotStatusChange.objects.filter(lot=lot, transition="resume").count() == 1


def test_rule_documents_objection_reply_is_due_within_3_days(lot, objector):
    filed_day = local_day(lot.bid_deadline - timedelta(days=15))
    for hour in (0, 23):  # the time of filing does not move the reply's last day
        with time_machine.travel(day_end(filed_day) - timedelta(hours=24 - hour), tick=False):
            objection = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
        assert local_day(objection.filed_at) == filed_day
        assert objection.reply_due_at == day_end(filed_day + timedelta(days=3))


def test_rule_documents_objection_reply_overdue_is_listed_and_a_late_reply_is_recorded(
        lot, objector, staff, client, django_assert_num_queries):
    with days_before_deadline(lot, 20):
        objection = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
    assert not objection_list_overdue(at=objection.reply_due_at - timedelta(microseconds=1)).exists()
    assert list(objection_list_overdue(at=objection.reply_due_at)) == [objection]

    api = APIClient()
    api.force_authenticate(staff)
    with time_machine.travel(objection.reply_due_at + timedelta(hours=1), tick=False):
        with django_assert_num_queries(4):  # the staff's roles, the lot, the count, the page with filers joined
            open_ = api.get(reverse("api-lot-objections-open", args=[lot.pk])).json()
        with django_assert_num_queries(2):  # the count, the page with lots and filers joined (roles are cached)
            overdue = api.get(reverse("api-objections-overdue")).json()
        client.login(username=staff.username, password=PASSWORD)
        page = client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
        objection_reply(objection_id=objection.pk, reply=REPLY, actor=f"user:{staff.pk}")
    assert [(o["id"], o["overdue"], o["organisation"]) for o in overdue["results"]] == [
        (objection.pk, True, objector.organisation.name)]
    assert open_["results"][0]["overdue"] is True
    assert f'data-objection="{objection.pk}" data-overdue="1"' in page
    objection.refresh_from_db()
    assert objection.replied_late and not objection_list_overdue().exists()
    assert AuditEntry.objects.get(kind="objection.replied").data["late"] is True


def test_rule_documents_objection_reply_pushes_the_deadline_under_the_amendment_rule(lot, objector, second):
    old_deadline = lot.bid_deadline
    with days_before_deadline(lot, 11):
        first = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
        other = objection_file(lot_id=lot.pk, user=second, text="第二份异议")
    with days_before_deadline(lot, 9):
        too_soon = clock.now() + timedelta(days=10)
        refused("objection_deadline_not_resuming", objection_reply, objection_id=first.pk, reply=REPLY,
                actor=ACTOR, bid_deadline=clock.now() + timedelta(days=20))
        objection_reply(objection_id=first.pk, reply=REPLY, actor=ACTOR)
        # The amendment rule wants 15 days before the deadline, as lot_amend does.
        refused("amendment_notice", objection_reply, objection_id=other.pk, reply=REPLY, actor=ACTOR,
                bid_deadline=too_soon)
        assert DocumentObjection.objects.get(pk=other.pk).replied_at is None
        new_deadline = clock.now() + timedelta(days=16)
        objection_reply(objection_id=other.pk, reply=REPLY, actor=ACTOR, bid_deadline=new_deadline)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    assert lot.bid_deadline == new_deadline > old_deadline and lot.next_due_at == new_deadline
    resumed = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed").last()
    assert resumed.data["to"] == Lot.Status.BIDDING and resumed.data["bid_deadline"] == new_deadline.isoformat()


def test_rule_documents_objection_reply_after_the_deadline_passed_needs_a_new_one(lot, objector):
    with days_before_deadline(lot, 12):
        objection = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
    with time_machine.travel(lot.bid_deadline + timedelta(hours=1), tick=False):
        refused("bid_deadline_passed", objection_reply, objection_id=objection.pk, reply=REPLY, actor=ACTOR)
        objection_reply(objection_id=objection.pk, reply=REPLY, actor=ACTOR,
                        bid_deadline=clock.now() + timedelta(days=15))
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and lot.bid_deadline > clock.now()


def test_rule_documents_objection_only_from_registered_bidders(lot, objector, bidder_b, staff):
    with days_before_deadline(lot, 15):
        refused("not_registered", objection_file, lot_id=lot.pk, user=bidder_b, text=TEXT)
        refused("not_registered", objection_file, lot_id=lot.pk, user=staff, text=TEXT)
        refused("objection_text_required", objection_file, lot_id=lot.pk, user=objector, text=" \n ")
        refused("reply_required", objection_reply, objection_id=0, reply="", actor=ACTOR)
        refused("objection_not_found", objection_reply, objection_id=0, reply=REPLY, actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING and not DocumentObjection.objects.exists()


def test_rule_documents_objection_the_public_and_the_lot_events_never_name_the_objector(
        lot, objector, second, staff, client):
    with days_before_deadline(lot, 15):
        objection = objection_file(lot_id=lot.pk, user=objector, text=TEXT)
        objection_reply(objection_id=objection.pk, reply=REPLY, actor=f"user:{staff.pk}")
        objection_file(lot_id=lot.pk, user=objector, text="第二份异议")
    secrets = [objector.username, objector.organisation.name, objector.organisation.uscc, f"user:{objector.pk}",
               TEXT, REPLY]

    public = client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    with translation.override("zh-hans"):
        assert f'data-testid="lot-status">{Lot.Status.SUSPENDED.label}<' in public
    assert client.get(reverse("lot-objections", args=[lot.pk])).status_code == 302  # to sign in
    client.login(username=second.username, password=PASSWORD)
    other_bidder = client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
    api_other = APIClient()
    api_other.force_authenticate(second)
    other_api = api_other.get(reverse("api-lot-objections", args=[lot.pk])).content.decode()
    assert api_other.get(reverse("api-lot-objections-open", args=[lot.pk])).status_code == 403
    for body in (public, other_bidder, other_api):
        for secret in secrets:
            assert secret not in body

    lot_events = AuditEntry.objects.filter(subject=f"lot:{lot.pk}")
    assert lot_events.filter(kind="lot.status_changed", data__to=Lot.Status.SUSPENDED).exists()
    for event in lot_events:
        assert event.actor != f"user:{objector.pk}"
        for secret in secrets:
            assert secret not in str(event.data)
    assert set(AuditEntry.objects.filter(kind__startswith="objection.").values_list("subject", flat=True)) == {
        f"objection:{o.pk}" for o in DocumentObjection.objects.all()}


def test_the_api_files_lists_and_replies(lot, objector, staff):
    api = APIClient()
    with days_before_deadline(lot, 15):
        api.force_authenticate(staff)
        assert api.post(reverse("api-lot-objections", args=[lot.pk]), {"text": TEXT}).status_code == 403
        api.force_authenticate(objector)
        filed = api.post(reverse("api-lot-objections", args=[lot.pk]), {"text": TEXT})
        assert filed.status_code == 201 and filed.json()["reply"] == ""
        objection_id = filed.json()["id"]
        assert api.post(reverse("api-objection-reply", args=[objection_id]), {"reply": REPLY}).status_code == 403

        api.force_authenticate(staff)
        open_ = api.get(reverse("api-lot-objections-open", args=[lot.pk])).json()
        assert [(o["id"], o["filed_by"], o["overdue"]) for o in open_["results"]] == [
            (objection_id, objector.username, False)]
        replied = api.post(reverse("api-objection-reply", args=[objection_id]), {"reply": REPLY})
        assert replied.status_code == 200 and replied.json()["replied_by"] == f"user:{staff.pk}"
        again = api.post(reverse("api-objection-reply", args=[objection_id]), {"reply": REPLY})
        assert again.status_code == 409 and again.json()["code"] == "objection_already_replied"

        api.force_authenticate(objector)
        own = api.get(reverse("api-lot-objections", args=[lot.pk])).json()
        assert [(o["id"], o["reply"]) for o in own["results"]] == [(objection_id, REPLY)]
    with days_before_deadline(lot, 9):
        late = api.post(reverse("api-lot-objections", args=[lot.pk]), {"text": TEXT})
    assert late.status_code == 409 and late.json()["code"] == "documents_objection"


def test_the_pages_file_and_reply(lot, objector, staff, client):
    with days_before_deadline(lot, 15):
        client.login(username=objector.username, password=PASSWORD)
        page = client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
        assert "objection-form" in page
        assert client.post(reverse("lot-objections", args=[lot.pk]), {"text": ""}).status_code == 400
        assert client.post(reverse("lot-objections", args=[lot.pk]), {"text": TEXT}).status_code == 302
        objection = DocumentObjection.objects.get()
        assert TEXT in client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
        reply_url = reverse("lot-objection-reply", args=[lot.pk, objection.pk])
        assert client.post(reply_url, {"reply": REPLY}).status_code == 403

        client.login(username=staff.username, password=PASSWORD)
        page = client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
        assert "objection-form" not in page and reply_url in page and objector.organisation.name in page
        assert client.post(reply_url, {"reply": REPLY}).status_code == 302

        client.login(username=objector.username, password=PASSWORD)
        page = client.get(reverse("lot-objections", args=[lot.pk])).content.decode()
    assert REPLY in page
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING

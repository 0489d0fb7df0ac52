"""Questions on a lot: asked by registered bidders before the deadline, answered publicly without
ever naming who asked, optionally as an amendment under the rule table."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from tests.fixtures import PASSWORD
from trading import clock
from trading.errors import TradingError
from trading.models import Announcement, Enquiry, Lot
from trading.services.enquiries import enquiry_answer, enquiry_ask
from trading.services.lots import lot_publish, lot_submit
from trading.services.registrations import registration_create

ACTOR = "user:1"
QUESTION = "第三章技术参数中的“不低于”是否包含等于？"
ANSWER = "包含等于。"


def refused(code, call, **kwargs):
    with pytest.raises(TradingError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.fixture
def lot(make_lot):
    lot = make_lot("procurement")
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="采购公告", body="……", actor=ACTOR)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    return lot


@pytest.fixture
def asker(lot, bidder_a):
    registration_create(lot_id=lot.pk, user=bidder_a)
    return bidder_a


@pytest.mark.django_db
def test_only_registered_bidders_ask_before_the_deadline(lot, asker, bidder_b, staff):
    refused("not_registered", enquiry_ask, lot_id=lot.pk, user=bidder_b, question=QUESTION)
    refused("not_registered", enquiry_ask, lot_id=lot.pk, user=staff, question=QUESTION)
    refused("question_required", enquiry_ask, lot_id=lot.pk, user=asker, question="  \n ")
    enquiry = enquiry_ask(lot_id=lot.pk, user=asker, question=QUESTION)
    assert (enquiry.organisation, enquiry.asked_by, enquiry.answered_at) == (asker.organisation, asker, None)
    with time_machine.travel(lot.bid_deadline, tick=False):
        refused("enquiries_closed", enquiry_ask, lot_id=lot.pk, user=asker, question=QUESTION)
    assert Enquiry.objects.count() == 1


@pytest.mark.django_db
def test_the_public_record_never_names_who_asked(lot, asker, staff, bidder_b, client):
    enquiry = enquiry_ask(lot_id=lot.pk, user=asker, question=QUESTION)
    unanswered = enquiry_ask(lot_id=lot.pk, user=asker, question="尚未答复的问题")
    enquiry_answer(enquiry_id=enquiry.pk, answer=ANSWER, actor=f"user:{staff.pk}")
    secrets = [asker.username, asker.organisation.name, asker.organisation.uscc]

    page = client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()
    api_body = APIClient().get(reverse("api-lot-enquiries", args=[lot.pk])).content.decode()
    client.login(username=bidder_b.username, password=PASSWORD)
    other_bidders_page = client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()
    for body in (page, api_body, other_bidders_page):
        assert QUESTION in body and ANSWER in body and unanswered.question not in body
        for secret in secrets:
            assert secret not in body
    # The lot's events (what its live room shows) hold the answer only; the questions are events of
    # their own subjects, so the room learns neither who asked nor how many bidders did.
    lot_events = AuditEntry.objects.filter(kind__startswith="enquiry.", subject=f"lot:{lot.pk}")
    assert list(lot_events.values_list("kind", flat=True)) == ["enquiry.answered"]
    asked = AuditEntry.objects.filter(kind="enquiry.asked")
    assert asked.count() == 2 and all(event.subject.startswith("enquiry:") for event in asked)
    for event in lot_events:
        assert f"user:{asker.pk}" != event.actor
        for secret in secrets:
            assert secret not in str(event.data)


@pytest.mark.django_db
def test_staff_see_unanswered_questions_with_the_asker(lot, asker, staff, client, django_assert_num_queries):
    enquiry_ask(lot_id=lot.pk, user=asker, question=QUESTION)
    enquiry_ask(lot_id=lot.pk, user=asker, question="第二个问题")
    api = APIClient()
    api.force_authenticate(asker)
    assert api.get(reverse("api-lot-enquiries-pending", args=[lot.pk])).status_code == 403
    api.force_authenticate(staff)
    with django_assert_num_queries(4):  # the staff's roles, the lot, the count, the page with askers joined
        body = api.get(reverse("api-lot-enquiries-pending", args=[lot.pk])).json()
    assert body["count"] == 2
    assert {(e["organisation"], e["asked_by"]) for e in body["results"]} == {(asker.organisation.name, asker.username)}

    client.login(username=staff.username, password=PASSWORD)
    page = client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()
    assert asker.organisation.name in page and QUESTION in page


@pytest.mark.django_db
def test_an_answer_as_amendment_moves_the_deadline_under_the_rule_table(lot, asker, staff):
    enquiry = enquiry_ask(lot_id=lot.pk, user=asker, question=QUESTION)
    old_deadline = lot.bid_deadline
    with time_machine.travel(old_deadline - timedelta(days=10), tick=False):
        # Ten days before the deadline the rule table wants 15: the deadline must move.
        refused("amendment_notice", enquiry_answer, enquiry_id=enquiry.pk, answer=ANSWER, actor=ACTOR,
                as_amendment=True)
        assert Enquiry.objects.get(pk=enquiry.pk).answered_at is None
        new_deadline = clock.now() + timedelta(days=16)
        answered = enquiry_answer(enquiry_id=enquiry.pk, answer=ANSWER, actor=ACTOR, as_amendment=True,
                                  title="澄清公告", bid_deadline=new_deadline)
    lot.refresh_from_db()
    assert lot.bid_deadline == new_deadline > old_deadline and lot.next_due_at == new_deadline
    amendment = answered.amendment
    assert amendment.kind == Announcement.Kind.AMENDMENT and amendment.title == "澄清公告"
    assert QUESTION in amendment.body and ANSWER in amendment.body
    assert amendment.schedule["bid_deadline"] == new_deadline.isoformat()
    assert asker.organisation.name not in amendment.body
    refused("enquiry_already_answered", enquiry_answer, enquiry_id=enquiry.pk, answer="再答", actor=ACTOR)


@pytest.mark.django_db
def test_the_api_asks_answers_and_lists(lot, asker, staff, bidder_b, django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(bidder_b)
    refused_ask = api.post(reverse("api-lot-enquiries", args=[lot.pk]), {"question": QUESTION})
    assert refused_ask.status_code == 403 and refused_ask.json()["code"] == "not_registered"
    api.force_authenticate(asker)
    asked = api.post(reverse("api-lot-enquiries", args=[lot.pk]), {"question": QUESTION})
    assert asked.status_code == 201 and set(asked.json()) == {"id", "question", "asked_at"}
    assert api.post(reverse("api-enquiry-answer", args=[asked.json()["id"]]), {"answer": ANSWER}).status_code == 403

    api.force_authenticate(staff)
    answered = api.post(reverse("api-enquiry-answer", args=[asked.json()["id"]]), {"answer": ANSWER})
    assert answered.status_code == 200 and answered.json()["answer"] == ANSWER
    again = api.post(reverse("api-enquiry-answer", args=[asked.json()["id"]]), {"answer": ANSWER})
    assert again.status_code == 409 and again.json()["code"] == "enquiry_already_answered"

    with django_assert_num_queries(3):  # the lot, the count, the page
        body = APIClient().get(reverse("api-lot-enquiries", args=[lot.pk])).json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {"id", "question", "asked_at", "answer", "answered_at", "amendment"}


@pytest.mark.django_db
def test_the_pages_ask_and_answer(lot, asker, staff, client):
    client.login(username=asker.username, password=PASSWORD)
    page = client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()
    assert "ask-form" in page
    assert client.post(reverse("lot-enquiries", args=[lot.pk]), {"question": ""}).status_code == 400
    assert client.post(reverse("lot-enquiries", args=[lot.pk]), {"question": QUESTION}).status_code == 302
    enquiry = Enquiry.objects.get()
    assert QUESTION in client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()  # "awaiting" list
    assert client.post(reverse("lot-enquiry-answer", args=[lot.pk, enquiry.pk]), {"answer": ANSWER}).status_code == 403

    client.login(username=staff.username, password=PASSWORD)
    page = client.get(reverse("lot-enquiries", args=[lot.pk])).content.decode()
    assert "ask-form" not in page and reverse("lot-enquiry-answer", args=[lot.pk, enquiry.pk]) in page
    response = client.post(reverse("lot-enquiry-answer", args=[lot.pk, enquiry.pk]), {"answer": ANSWER})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.answer == ANSWER and enquiry.answered_by == f"user:{staff.pk}" and enquiry.amendment is None

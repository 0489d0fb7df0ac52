"""Inquiries (问询): a regulator asks the centre or a party of a lot, due by the rule table's working
days on the real calendar; the one asked answers on the record and the regulator is told; nobody
else asks or answers, and each such attempt is audited."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from supervisors.regulation.errors import RegulationError
from supervisors.regulation.models import Inquiry
from supervisors.regulation.services import inquiry_answer, inquiry_ask
from trading.models import Notification
from trading.services.registrations import registration_create
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db

QUESTION = "请说明开标时间推迟的原因及依据。"
ANSWER = "因系统维护推迟两小时，已发布变更公告。"
# A Monday in China; five working days later ends on the next Monday (no holiday between).
ASKED_AT = datetime(2026, 9, 7, 10, 0, tzinfo=CHINA)
DUE_AT = datetime(2026, 9, 15, 0, 0, tzinfo=CHINA)


def _refusals(code: str) -> list[AuditEntry]:
    return [entry for entry in AuditEntry.objects.filter(kind="regulation.refused") if entry.data["code"] == code]


def test_a_regulator_asks_the_centre_and_staff_answer_on_the_record(lot, regulator, staff, bidder_a):
    with time_machine.travel(ASKED_AT, tick=False):
        inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question=QUESTION)
    assert inquiry.organisation is None and inquiry.due_at == DUE_AT.astimezone(UTC)
    notice = Notification.objects.get(user=staff, kind="inquiry.asked")
    assert notice.link == reverse("inquiry-detail", args=[inquiry.pk]) and lot.code in notice.title_en
    assert not Notification.objects.filter(user=bidder_a, kind="inquiry.asked").exists()
    asked = AuditEntry.objects.get(kind="inquiry.asked")
    assert asked.subject == f"inquiry:{inquiry.pk}" and asked.data["lot"] == lot.pk
    assert QUESTION not in str(asked.data), "inquiries are not public: the chain keeps a digest"
    assert not AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind__startswith="inquiry.").exists()

    with time_machine.travel(ASKED_AT + timedelta(days=2), tick=False):
        answered = inquiry_answer(inquiry_id=inquiry.pk, user=staff, answer=ANSWER)
    assert (answered.answer, answered.answered_by) == (ANSWER, staff)
    assert AuditEntry.objects.get(kind="inquiry.answered").data["late"] is False
    told = Notification.objects.get(user=regulator, kind="inquiry.answered")
    assert ANSWER in told.body_zh and told.link == reverse("inquiry-detail", args=[inquiry.pk])
    with pytest.raises(RegulationError) as again:
        inquiry_answer(inquiry_id=inquiry.pk, user=staff, answer="再答一次")
    assert again.value.code == "inquiry_answered"


def test_a_party_is_asked_its_people_answer_and_nobody_else_may(lot, regulator, staff, bidder_a, bidder_b,
                                                                make_person):
    registration_create(lot_id=lot.pk, user=bidder_a)
    colleague = make_person("bidder_a2", ["bidder"], organisation=bidder_a.organisation)
    with pytest.raises(RegulationError) as outsider:
        inquiry_ask(lot_id=lot.pk, regulator=regulator, question=QUESTION, organisation=bidder_b.organisation)
    assert outsider.value.code == "not_a_party"
    due = datetime(2030, 1, 1, tzinfo=UTC)
    inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question=QUESTION,
                          organisation=bidder_a.organisation, due_at=due)
    assert inquiry.due_at == due
    assert {n.user for n in Notification.objects.filter(kind="inquiry.asked")} == {bidder_a, colleague}
    tenderee_inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question="招标人请说明",
                                   organisation=lot.project.tenderee)
    assert tenderee_inquiry.organisation == lot.project.tenderee

    for intruder in (bidder_b, staff, regulator):
        with pytest.raises(RegulationError) as refused:
            inquiry_answer(inquiry_id=inquiry.pk, user=intruder, answer=ANSWER)
        assert (refused.value.code, refused.value.status) == ("not_addressee", 403)
    assert len(_refusals("not_addressee")) == 3
    assert Inquiry.objects.get(pk=inquiry.pk).answered_at is None
    inquiry_answer(inquiry_id=inquiry.pk, user=colleague, answer=ANSWER)
    assert Inquiry.objects.get(pk=inquiry.pk).answered_by == colleague


def test_a_late_answer_is_taken_and_marked_late(lot, regulator, staff):
    with time_machine.travel(ASKED_AT, tick=False):
        inquiry = inquiry_ask(lot_id=lot.pk, regulator=regulator, question=QUESTION)
    with time_machine.travel(DUE_AT, tick=False):
        inquiry_answer(inquiry_id=inquiry.pk, user=staff, answer=ANSWER)
    assert AuditEntry.objects.get(kind="inquiry.answered").data["late"] is True


def test_only_regulators_ask_and_the_refusal_is_audited(lot, staff, bidder_a, regulator):
    for intruder in (staff, bidder_a):
        with pytest.raises(RegulationError) as refused:
            inquiry_ask(lot_id=lot.pk, regulator=intruder, question=QUESTION)
        assert (refused.value.code, refused.value.status) == ("not_regulator", 403)
    assert [entry.actor for entry in _refusals("not_regulator")] == [f"user:{staff.pk}", f"user:{bidder_a.pk}"]
    assert not Inquiry.objects.exists()
    with pytest.raises(RegulationError) as past:
        inquiry_ask(lot_id=lot.pk, regulator=regulator, question=QUESTION, due_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert past.value.code == "due_invalid"
    with pytest.raises(RegulationError) as empty:
        inquiry_ask(lot_id=lot.pk, regulator=regulator, question="  ")
    assert empty.value.code == "text_required"


def test_pages_the_regulator_asks_staff_answer_a_bidder_sees_nothing(client, lot, regulator, staff, bidder_a):
    client.force_login(regulator)
    page = client.get(reverse("regulator-lot", args=[lot.pk])).content.decode()
    assert 'data-testid="inquiry-form"' in page and lot.project.tenderee.name in page
    response = client.post(reverse("regulator-inquiry-ask", args=[lot.pk]),
                           {"organisation": "", "question": QUESTION, "due_on": "2030-01-02"})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.organisation is None and inquiry.due_at == datetime(2030, 1, 3, tzinfo=CHINA)
    assert QUESTION[:20] in client.get(reverse("regulator-inquiries") + "?state=open").content.decode()

    client.force_login(bidder_a)
    assert client.get(reverse("inquiry-detail", args=[inquiry.pk])).status_code == 404
    assert client.post(reverse("inquiry-detail", args=[inquiry.pk]), {"answer": ANSWER}).status_code == 403
    assert client.post(reverse("regulator-inquiry-ask", args=[lot.pk]), {"question": QUESTION}).status_code == 403
    assert len(_refusals("not_addressee")) == 1 and len(_refusals("not_regulator")) == 1

    client.force_login(staff)
    assert f'data-inquiry="{inquiry.pk}"' in client.get(reverse("inquiries-mine")).content.decode()
    assert 'data-testid="answer-form"' in client.get(reverse("inquiry-detail", args=[inquiry.pk])).content.decode()
    assert client.post(reverse("inquiry-detail", args=[inquiry.pk]), {"answer": ANSWER}).status_code == 302
    page = client.get(reverse("inquiry-detail", args=[inquiry.pk])).content.decode()
    assert ANSWER in page and 'data-testid="answer-form"' not in page


def test_api_ask_list_and_answer(lot, regulator, staff, bidder_a, django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(bidder_a)
    refused = api.post(reverse("api-lot-inquiries", args=[lot.pk]), {"question": QUESTION}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_regulator")
    api.force_authenticate(regulator)
    asked = api.post(reverse("api-lot-inquiries", args=[lot.pk]), {"question": QUESTION}, format="json")
    assert asked.status_code == 201 and asked.json()["organisation"] is None
    inquiry_id = asked.json()["id"]
    api.post(reverse("api-lot-inquiries", args=[lot.pk]), {"question": "第二问"}, format="json")
    with django_assert_num_queries(2):  # the count, the page with lots, parties and people joined
        listed = api.get(reverse("api-inquiries") + "?state=open").json()["results"]
    assert [i["id"] for i in listed][-1] == inquiry_id and len(listed) == 2

    api.force_authenticate(bidder_a)
    assert api.get(reverse("api-inquiries")).json()["count"] == 0
    api.force_authenticate(staff)
    assert [i["id"] for i in api.get(reverse("api-inquiries")).json()["results"]][-1] == inquiry_id
    answered = api.post(reverse("api-inquiry-answer", args=[inquiry_id]), {"answer": ANSWER}, format="json")
    assert answered.status_code == 200 and answered.json()["answered_by"] == staff.username

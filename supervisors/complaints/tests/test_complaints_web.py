"""Challenges and complaints through the REST API and the pages: who may do what, the codes of
refusals, the regulator's queue with due dates and overdue marks."""
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from supervisors.complaints.services import complaint_accept, complaint_file
from supervisors.complaints.tests.test_complaints import at
from supervisors.complaints.models import Challenge, Complaint
from trading.models import Lot, LotHold, User

pytestmark = pytest.mark.django_db

ACT = "评标委员会未按招标文件规定的评标办法评审"
GROUNDS = "评分表第4项与评标办法不符。"


def api_as(user):
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def file(lot, user, **kwargs):
    return complaint_file(lot_id=lot.pk, user=user, act=ACT, grounds=GROUNDS, known_on=date(2026, 9, 28), **kwargs)


def test_api_a_bidder_files_and_lists_complaints(works_lot, bidder_a, bidder_b, regulator, django_assert_num_queries):
    url = reverse("api-lot-complaints", args=[works_lot.pk])
    body = {"act": ACT, "grounds": GROUNDS, "known_on": "2026-09-28"}
    with at(2026, 9, 30, 16):
        assert api_as(regulator).post(url, body).status_code == 403
        other = api_as(bidder_b).post(url, body)
        assert (other.status_code, other.json()["code"]) == (403, "not_interested_party")
        bad = api_as(bidder_a).post(url, {**body, "known_on": "someday"})
        assert bad.status_code == 400
        filed = api_as(bidder_a).post(url, body)
        late = api_as(bidder_a).post(url, {**body, "known_on": "2026-09-01"})
        api = api_as(bidder_a)
        api.get(reverse("api-complaints-mine"))  # the roles, cached per user from here on
        with django_assert_num_queries(2):  # the count, the page with lots joined
            mine = api.get(reverse("api-complaints-mine")).json()
    assert filed.status_code == 201
    assert (filed.json()["status"], filed.json()["acceptance_last_day"]) == ("filed", "2026-10-10")
    assert (late.status_code, late.json()["code"]) == (409, "complaint_filing")
    assert [c["id"] for c in mine["results"]] == [filed.json()["id"]]
    assert "organisation" not in mine["results"][0]


def test_api_the_regulator_lists_accepts_suspends_and_decides(works_lot, bidder_a, regulator,
                                                             django_assert_num_queries):
    with at(2026, 9, 30, 16):
        complaint = file(works_lot, bidder_a)
        second = file(works_lot, bidder_a)
    api = api_as(regulator)
    assert api_as(bidder_a).get(reverse("api-complaints")).status_code == 403
    with at(2026, 10, 11, 9):
        api.get(reverse("api-complaints"))
        with django_assert_num_queries(2):  # the count, the page with lots and complainants joined
            queue = api.get(reverse("api-complaints")).json()
        accepted = api.post(reverse("api-complaint-accept", args=[complaint.pk]), {"suspend": True}, format="json")
        again = api.post(reverse("api-complaint-accept", args=[complaint.pk]), {}, format="json")
        held = api.post(reverse("api-complaint-suspend", args=[complaint.pk]))
        refused = api.post(reverse("api-complaint-refuse", args=[second.pk]), {"reasons": ""}, format="json")
        bad = api.post(reverse("api-complaint-decide", args=[complaint.pk]),
                       {"outcome": "upheld", "reasons": "属实", "terminate": "maybe"}, format="json")
        decided = api.post(reverse("api-complaint-decide", args=[complaint.pk]),
                           {"outcome": "upheld", "reasons": "属实"}, format="json")
    assert [(c["id"], c["overdue"], c["organisation"]) for c in queue["results"]] == [
        (complaint.pk, True, bidder_a.organisation.name), (second.pk, True, bidder_a.organisation.name)]
    assert accepted.status_code == 200 and accepted.json()["decision_last_day"] == "2026-11-20"
    assert (again.status_code, again.json()["code"]) == (409, "complaint_status")
    assert (held.status_code, held.json()["code"]) == (409, "complaint_already_holds")
    assert refused.status_code == 400 and bad.status_code == 400
    assert decided.status_code == 200 and decided.json()["outcome"] == "upheld"
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING


def test_api_challenges_filed_and_replied(procurement_lot, bidder_a, staff, django_assert_num_queries):
    with at(2026, 9, 28, 10):
        filed = api_as(bidder_a).post(reverse("api-lot-challenges", args=[procurement_lot.pk]),
                                      {"matter": "评分标准", "grounds": "不合理", "known_on": "2026-09-25"})
        assert filed.status_code == 201 and filed.json()["reply_last_day"] == "2026-10-13"
        assert api_as(bidder_a).post(reverse("api-challenge-reply", args=[filed.json()["id"]]),
                                     {"reply": "x"}).status_code == 403
        api = api_as(staff)
        api.get(reverse("api-challenges"))
        with django_assert_num_queries(2):
            listed = api.get(reverse("api-challenges"), {"open": "1"}).json()
        replied = api.post(reverse("api-challenge-reply", args=[filed.json()["id"]]), {"reply": "已修改"})
        mine = api_as(bidder_a).get(reverse("api-challenges-mine")).json()
    assert [(c["id"], c["organisation"], c["overdue"]) for c in listed["results"]] == [
        (filed.json()["id"], bidder_a.organisation.name, False)]
    assert replied.status_code == 200 and replied.json()["replied_by"] == f"user:{staff.pk}"
    assert [(c["status"], c["reply"]) for c in mine["results"]] == [("replied", "已修改")]


def test_pages_a_bidder_files_a_complaint_from_the_lot(client, works_lot, bidder_a, bidder_b):
    page_url = reverse("lot-complaints", args=[works_lot.pk])
    with at(2026, 9, 30, 16):
        client.force_login(bidder_a)
        assert page_url in client.get(reverse("lot-detail", args=[works_lot.pk])).content.decode()
        page = client.get(page_url).content.decode()
        assert 'data-testid="complaint-form"' in page and 'data-testid="challenge-form"' not in page
        empty = client.post(page_url, {"act": "", "grounds": GROUNDS, "known_on": "2026-09-28"})
        late = client.post(page_url, {"act": ACT, "grounds": GROUNDS, "known_on": "2026-09-01"})
        done = client.post(page_url, {"act": ACT, "grounds": GROUNDS, "known_on": "2026-09-28"}, follow=True)
        mine = client.get(reverse("complaints-mine")).content.decode()
        client.force_login(bidder_b)
        other = client.get(page_url).content.decode()
    assert empty.status_code == 400 and late.status_code == 409 and 'data-testid="error"' in late.content.decode()
    complaint = Complaint.objects.get()
    assert f'data-complaint="{complaint.pk}"' in done.content.decode() and "2026-10-10" in done.content.decode()
    assert f'data-complaint="{complaint.pk}"' in mine
    assert 'data-testid="not-party"' in other and ACT not in other


def test_pages_a_supplier_challenges_then_complains(client, procurement_lot, bidder_a, staff):
    page_url = reverse("lot-complaints", args=[procurement_lot.pk])
    client.force_login(bidder_a)
    with at(2026, 9, 28, 10):
        assert 'data-testid="challenge-form"' in client.get(page_url).content.decode()
        client.post(reverse("lot-challenge-file", args=[procurement_lot.pk]),
                    {"matter": "评分标准", "grounds": "不合理", "known_on": "2026-09-25"})
        made = Challenge.objects.get()
        pending = client.post(page_url, {"act": "评分标准", "grounds": "不服", "known_on": "2026-09-25",
                                         "challenge": made.pk})
    assert pending.status_code == 409

    client.force_login(staff)
    with at(2026, 10, 14, 9):
        queue = client.get(reverse("staff-challenges")).content.decode()
        assert f'data-challenge="{made.pk}" data-overdue="1"' in queue
        assert client.post(reverse("staff-challenge-reply", args=[made.pk]), {"reply": ""}).status_code == 400
        assert client.post(reverse("staff-challenge-reply", args=[made.pk]), {"reply": "已修改"}).status_code == 302
        client.force_login(bidder_a)
        done = client.post(page_url, {"act": "评分标准", "grounds": "不服", "known_on": "2026-09-25",
                                      "challenge": made.pk})
    assert done.status_code == 302 and Complaint.objects.get().challenge == made


def test_pages_the_regulator_queue_marks_overdue_and_takes_the_steps(client, works_lot, bidder_a, regulator, staff):
    with at(2026, 9, 30, 16):
        complaint = file(works_lot, bidder_a)
        in_time = file(works_lot, bidder_a)
        complaint_accept(complaint_id=in_time.pk, actor="user:1")
    client.force_login(staff)
    assert client.get(reverse("regulator-complaints")).status_code == 403
    client.force_login(regulator)
    detail = reverse("regulator-complaint", args=[complaint.pk])
    with at(2026, 10, 11, 9):
        queue = client.get(reverse("regulator-complaints")).content.decode()
        assert f'data-complaint="{complaint.pk}" data-overdue="1"' in queue
        assert f'data-complaint="{in_time.pk}" data-overdue="0"' in queue and "2026-11-17" in queue
        page = client.get(detail).content.decode()
        assert 'data-testid="accept-form"' in page and 'data-testid="overdue"' in page
        step = "regulator-complaint-step"
        assert client.post(reverse(step, args=[complaint.pk, "decide"]),
                           {"outcome": "upheld", "reasons": "属实"}).status_code == 409
        assert client.post(reverse(step, args=[complaint.pk, "refuse"]), {"reasons": ""}).status_code == 400
        assert client.post(reverse(step, args=[complaint.pk, "nonsense"])).status_code == 404
        accepted = client.post(reverse(step, args=[complaint.pk, "accept"]), {"suspend": "on"}, follow=True)
        assert 'data-testid="holding"' in accepted.content.decode() and 'data-testid="late"' in accepted.content.decode()
        works_lot.refresh_from_db()
        assert works_lot.status == Lot.Status.SUSPENDED
        decided = client.post(reverse(step, args=[complaint.pk, "decide"]),
                              {"outcome": "dismissed", "reasons": "不属实"}, follow=True)
    assert 'data-testid="decision"' in decided.content.decode()
    works_lot.refresh_from_db()
    assert works_lot.status == Lot.Status.BIDDING and not LotHold.objects.filter(released_at__isnull=True).exists()


def test_the_openapi_schema_lists_the_complaint_endpoints():
    schema = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/lots/{lot_id}/complaints/"] and "post" in paths["/api/v1/lots/{lot_id}/challenges/"]
    for step in ("accept", "refuse", "suspend", "decide"):
        assert "post" in paths[f"/api/v1/complaints/{{complaint_id}}/{step}/"]
    assert "get" in paths["/api/v1/complaints/"] and "post" in paths["/api/v1/challenges/{challenge_id}/reply/"]

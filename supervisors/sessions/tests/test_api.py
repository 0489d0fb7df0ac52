"""The REST API of a supervisor's rights in a session: the right people act, the wrong ones are
refused with the service's code; lists name supervisors for staff and regulators only."""
import pytest
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from supervisors.sessions.models import StopRequest
from trading.models import User

pytestmark = pytest.mark.django_db


def api_as(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def test_a_stop_request_through_the_api(live_lot, supervisor, bidder_a, regulator, staff):
    url = f"/api/v1/lots/{live_lot.pk}/stop-requests/"
    refused = api_as(bidder_a).post(url, {"session": "opening", "reason": "停"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_supervisor")
    assert AuditEntry.objects.filter(kind="supervision.refused", subject=f"user:{bidder_a.pk}").exists()
    assert api_as().post(url, {"session": "opening", "reason": "停"}, format="json").status_code in (401, 403)
    bad = api_as(supervisor).post(url, {"session": "lunch", "reason": "停"}, format="json")
    assert bad.status_code == 400

    created = api_as(supervisor).post(url, {"session": "opening", "reason": "有人使用手机拍摄"}, format="json")
    assert created.status_code == 201, created.content
    stop = created.json()

    for user, named in ((None, "social_supervisor"), (bidder_a, "social_supervisor"), (regulator, str(supervisor)),
                        (staff, str(supervisor))):
        [row] = api_as(user).get(url).json()["results"]
        assert (row["supervisor"], row["reason"]) == (named, "有人使用手机拍摄"), user

    answer_url = f"/api/v1/stop-requests/{stop['id']}/answer/"
    refused = api_as(regulator).post(answer_url, {"decision": "continued", "answer": "继续"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_staff")
    answered = api_as(staff).post(answer_url, {"decision": "continued", "answer": "已制止，继续开标"}, format="json")
    assert answered.status_code == 200 and answered.json()["decision"] == "continued"
    again = api_as(staff).post(answer_url, {"decision": "stopped", "answer": "x"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert StopRequest.objects.get().answer == "已制止，继续开标"

    assert api_as(bidder_a).get("/api/v1/stop-requests/").status_code == 403
    assert api_as(regulator).get("/api/v1/stop-requests/").json()["results"][0]["id"] == stop["id"]


def test_a_lot_list_pins_its_queries(live_lot, supervisor, django_assert_num_queries):
    from supervisors.sessions.services import stop_request_raise

    for n in range(3):
        stop_request_raise(lot_id=live_lot.pk, session_kind="opening", user=supervisor, reason=f"理由{n}")
    api = api_as()
    with django_assert_num_queries(3):  # the lot, the count, the page with its supervisors
        assert len(api.get(f"/api/v1/lots/{live_lot.pk}/stop-requests/").json()["results"]) == 3


def test_questions_and_objections_through_the_api(live_lot, supervisor, bidder_a, staff, other_supervisor):
    questions = f"/api/v1/lots/{live_lot.pk}/liaison-questions/"
    refused = api_as(other_supervisor).post(questions, {"text": "?"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_seated")
    asked = api_as(supervisor).post(questions, {"text": "唱标结果何时公示？"}, format="json")
    assert asked.status_code == 201
    assert [q["text"] for q in api_as(supervisor).get(questions).json()["results"]] == ["唱标结果何时公示？"]
    assert api_as(other_supervisor).get(questions).json()["results"] == []
    assert api_as(staff).get("/api/v1/liaison-questions/").json()["results"][0]["id"] == asked.json()["id"]
    answer_url = f"/api/v1/liaison-questions/{asked.json()['id']}/answer/"
    refused = api_as(supervisor).post(answer_url, {"answer": "x"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_staff")
    answered = api_as(staff).post(answer_url, {"answer": "开标结束后即时公示"}, format="json")
    assert answered.status_code == 200 and answered.json()["answer"] == "开标结束后即时公示"

    objections = f"/api/v1/lots/{live_lot.pk}/session-objections/"
    refused = api_as(bidder_a).post(objections, {"session": "opening", "text": "异议"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_supervisor")
    created = api_as(supervisor).post(objections, {"session": "opening", "text": "解密顺序有误"}, format="json")
    assert created.status_code == 201
    [row] = api_as(bidder_a).get(objections).json()["results"]
    assert (row["supervisor"], row["text"]) == ("social_supervisor", "解密顺序有误")
    assert api_as(staff).get("/api/v1/session-objections/").json()["results"][0]["supervisor"] == str(supervisor)

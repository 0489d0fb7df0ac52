"""The assessment's pages and API: the person sees their own result and breakdown, their manager sees
and enters theirs, anyone else is refused (403); the pages in Chinese and English; the list's
queries do not grow with its length."""
from datetime import date

import pytest
from rest_framework.test import APIClient

from monitoring.assessment.models import Assessment
from monitoring.assessment.services import assessment_finalise, assessment_open, assessment_score
from monitoring.assessment.tests.conftest import ENTERED, OCTOBER, at

pytestmark = pytest.mark.django_db


def api_for(user):
    api = APIClient()
    api.force_login(user)
    return api


@pytest.fixture
def final_assessment(october_assessment, manager):
    with at(2026, 11, 2, 10, 0):
        for code, value in ENTERED.items():
            assessment_score(assessment_id=october_assessment.pk, user=manager, indicator_code=code, value=value,
                             note="平时考核记录良好。")
        return assessment_finalise(assessment_id=october_assessment.pk, user=manager)


def test_the_person_sees_their_own_result_and_breakdown(final_assessment, staff, client):
    client.force_login(staff)
    mine = client.get("/assessment/mine/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert mine.status_code == 200 and mine["Cache-Control"] == "private, no-store"
    html = mine.content.decode()
    assert f'data-assessment="{final_assessment.pk}" data-status="final"' in html
    assert "78.95" in html and "办理时限按时率" in html and "平时考核记录良好。" in html
    english = client.get("/assessment/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "On-time rate of time-limited steps" in english and "办理时限按时率" not in english
    assert client.get(f"/assessment/{final_assessment.pk}/").status_code == 200

    body = api_for(staff).get(f"/api/v1/assessment/assessments/{final_assessment.pk}/").json()
    assert (body["score"], body["failed"], body["status"]) == ("78.95", False, "final")
    assert {item["code"]: item["value"] for item in body["breakdown"]}["satisfaction"] == "50.00"


def test_the_manager_sees_and_enters_theirs_and_others_are_refused(october_assessment, staff, staff_b, manager,
                                                                   make_person, bidder_a, client):
    assessment = october_assessment
    client.force_login(manager)
    with at(2026, 11, 2, 10, 0):
        page = client.get(f"/assessment/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="score-form" data-indicator="morality"' in html
    assert 'data-indicator="on_time_rate"' in html and "Time-limited steps done: 4; before their limit: 3." in html

    # Until it is final, the person sees that it is under way, not the entries.
    with at(2026, 11, 2, 10, 0):
        assessment_score(assessment_id=assessment.pk, user=manager, indicator_code="morality", value="60",
                         note="履职中存在推诿。")
    client.force_login(staff)
    own = client.get(f"/assessment/{assessment.pk}/").content.decode()
    assert 'data-testid="in-progress"' in own and "履职中存在推诿" not in own
    assert api_for(staff).get(f"/api/v1/assessment/assessments/{assessment.pk}/").json()["breakdown"] is None

    other_manager = make_person("manager_2", ["staff", "staff_manager"])
    for outsider in (staff_b, other_manager, bidder_a):
        client.force_login(outsider)
        assert client.get(f"/assessment/{assessment.pk}/").status_code == 403
        refused = api_for(outsider).get(f"/api/v1/assessment/assessments/{assessment.pk}/")
        assert (refused.status_code, refused.json()["code"]) == (403, "not_visible")
        assert api_for(outsider).get("/api/v1/assessment/assessments/").json()["results"] == []
    scored = api_for(other_manager).post(f"/api/v1/assessment/assessments/{assessment.pk}/scores/",
                                         {"indicator": "morality", "value": "100", "note": "代评"}, format="json")
    assert (scored.status_code, scored.json()["code"]) == (403, "not_the_manager")
    assert client.get("/api/v1/assessment/assessments/999999/").status_code == 404


def test_who_opens_which_page(staff, manager, bidder_a, client):
    client.force_login(manager)
    assert client.get("/assessment/").status_code == 200
    for person, manage, mine in ((staff, 403, 200), (bidder_a, 403, 403)):
        client.force_login(person)
        assert (client.get("/assessment/").status_code, client.get("/assessment/mine/").status_code) == (manage, mine)
    client.logout()
    assert client.get("/assessment/mine/").status_code == 302


def test_the_manager_opens_enters_and_finalises_through_the_pages(october, staff, manager, client):
    client.force_login(manager)
    with at(2026, 11, 2, 9, 0):
        manage = client.get("/assessment/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        # The people to assess are the other staff: never the manager themself.
        assert f'<option value="{staff.pk}"' in manage and f'<option value="{manager.pk}"' not in manage
        opened = client.post("/assessment/open/", {"person": staff.pk, "period_start": "2026-10-01",
                                                   "period_end": "2026-10-31"})
        assessment = Assessment.objects.get(person=staff)
        assert opened["Location"] == f"/assessment/{assessment.pk}/"
        again = client.post("/assessment/open/", {"person": staff.pk, "period_start": "2026-10-01",
                                                  "period_end": "2026-10-31"})
        assert again.status_code == 409
        bad = client.post(f"/assessment/{assessment.pk}/score/", {"indicator": "morality", "value": "120",
                                                                  "note": "优秀"}, HTTP_ACCEPT_LANGUAGE="en")
        assert bad.status_code == 400
        assert "A score is a number from 0 to 100 with at most two decimals." in bad.content.decode()
        for code, value in ENTERED.items():
            saved = client.post(f"/assessment/{assessment.pk}/score/", {"indicator": code, "value": value,
                                                                        "note": "平时考核记录良好。"})
            assert saved.status_code == 302
        assert client.post(f"/assessment/{assessment.pk}/finalise/").status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, str(assessment.score)) == ("final", "78.95")
    listed = client.get("/assessment/").content.decode()
    assert f'data-assessment="{assessment.pk}" data-status="final"' in listed and "78.95" in listed


def test_the_api_opens_enters_and_finalises(october, staff, manager):
    api = api_for(manager)
    with at(2026, 11, 2, 9, 0):
        opened = api.post("/api/v1/assessment/assessments/", {"person": staff.pk, "period_start": "2026-10-01",
                                                             "period_end": "2026-10-31"}, format="json")
        assert opened.status_code == 201, opened.json()
        number = opened.json()["id"]
        itself = api.post("/api/v1/assessment/assessments/", {"person": manager.pk, "period_start": "2026-10-01",
                                                             "period_end": "2026-10-31"}, format="json")
        assert (itself.status_code, itself.json()["code"]) == (403, "self_assessment")
        for code, value in ENTERED.items():
            entered = api.post(f"/api/v1/assessment/assessments/{number}/scores/",
                               {"indicator": code, "value": value, "note": "记录良好。"}, format="json")
            assert entered.status_code == 200, entered.json()
        preview = entered.json()
        assert (preview["missing"], preview["preview_score"], preview["status"]) == ([], "78.95", "open")
        veto = api.post(f"/api/v1/assessment/assessments/{number}/scores/",
                        {"indicator": "veto_discipline", "value": "1", "note": "违规干预评标，经查属实。"}, format="json")
        assert veto.status_code == 200
        final = api.post(f"/api/v1/assessment/assessments/{number}/finalise/")
    assert final.status_code == 200, final.json()
    assert (final.json()["score"], final.json()["failed"], final.json()["status"]) == ("78.95", True, "final")


def test_the_list_takes_the_same_queries_however_long(staff, make_person, manager, django_assert_num_queries):
    api = api_for(manager)
    api.get("/api/v1/assessment/assessments/")  # the session and the second factor, read once
    with at(2026, 11, 2, 9, 0):
        for month in (7, 8):
            assessment_open(person_id=staff.pk, manager=manager, period_start=date(2026, month, 1),
                            period_end=date(2026, month, 28))
    with django_assert_num_queries(6):
        assert api.get("/api/v1/assessment/assessments/").json()["count"] == 2
    with at(2026, 11, 2, 9, 0):
        for n in range(5):
            person = make_person(f"staff_{n}", ["staff"])
            assessment_open(person_id=person.pk, manager=manager, period_start=OCTOBER[0], period_end=OCTOBER[1])
    with django_assert_num_queries(6):
        assert api.get("/api/v1/assessment/assessments/").json()["count"] == 7


def test_the_schema_documents_the_assessment_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in ("/api/v1/assessment/indicators/", "/api/v1/assessment/indicators/weights/",
                 "/api/v1/assessment/assessments/", "/api/v1/assessment/assessments/{assessment_id}/",
                 "/api/v1/assessment/assessments/{assessment_id}/scores/",
                 "/api/v1/assessment/assessments/{assessment_id}/finalise/"):
        assert path in paths, path
    finalise = paths["/api/v1/assessment/assessments/{assessment_id}/finalise/"]["post"]["responses"]
    assert finalise["409"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    detail = schema["components"]["schemas"]["AssessmentDetail"]["properties"]
    assert {"breakdown", "missing", "preview_score", "score", "failed"} <= set(detail)

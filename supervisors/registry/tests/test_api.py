"""The registry and the draws through the REST API: the whole lifecycle, a draw with a recusal, and
refusals answered with their codes."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from supervisors.models import Assignment
from supervisors.registry.models import Supervisor
from supervisors.registry.tests.conftest import PASSWORD, PDF, UNIT_USCC, resident_id
from trading import clock
from trading.models import User
from trading.services.registrations import registration_create
from trading.workdays import local_day

pytestmark = pytest.mark.django_db


def api_as(user):
    api = APIClient()
    if user is not None:
        api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def letter():
    return SimpleUploadedFile("推荐函.pdf", PDF, content_type="application/pdf")


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def test_the_whole_lifecycle_through_the_api(staff):
    staff_api = api_as(staff)
    created = staff_api.post(url("api-supervisors"), {
        "unit_name": "市总工会", "unit_uscc": UNIT_USCC, "letter": letter(), "username": "api_zhou",
        "display_name": "周监督", "resident_id": resident_id(11), "password": PASSWORD,
        "markets": ["construction", "procurement"]}, format="multipart")
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["status"], body["username"], sorted(body["markets"])) == (
        "recommended", "api_zhou", ["construction", "procurement"])
    assert "password" not in body

    assert staff_api.post(url("api-supervisor-vet", supervisor_id=pk), {"notes": "无利害关系"},
                          format="json").json()["status"] == "vetted"
    today = local_day(clock.now())
    appointed = staff_api.post(url("api-supervisor-appoint", supervisor_id=pk), {
        "agreement_signed_on": today.isoformat(), "agreement": letter()}, format="multipart")
    assert appointed.status_code == 200, appointed.json()
    assert (appointed.json()["status"], appointed.json()["term_start"]) == ("appointed", today.isoformat())

    person = User.objects.get(username="api_zhou")
    own = api_as(person)
    pledged = own.post(url("api-supervisor-pledge", supervisor_id=pk))
    assert pledged.status_code == 200
    assert pledged.json()["certificate_number"] == f"SJ-{today.year}-0001"
    detail = own.get(url("api-supervisor", supervisor_id=pk)).json()
    assert [c["to_status"] for c in detail["status_changes"]] == ["recommended", "vetted", "appointed", "appointed"]
    assert own.get(url("api-supervisor-workbench")).json()["supervisor"]["id"] == pk

    sanctioned = staff_api.post(url("api-supervisor-sanctions", supervisor_id=pk), {
        "kind": "warning", "reason": "报告迟交", "evidence": letter()}, format="multipart")
    assert sanctioned.status_code == 200 and sanctioned.json()["sanctions"][0]["kind"] == "warning"
    evaluated = staff_api.post(url("api-supervisor-evaluations", supervisor_id=pk),
                               {"year": today.year, "grade": "good", "comment": "履职认真"}, format="json")
    assert evaluated.json()["evaluations"][0]["figures"]["sessions_watched"] == 0
    for action, status in (("suspend", "suspended"), ("reinstate", "appointed"), ("renew", "appointed"),
                           ("dismiss", "dismissed")):
        answer = staff_api.post(url(f"api-supervisor-{action}", supervisor_id=pk), {"reason": "依规处理"},
                                format="json")
        assert (answer.status_code, answer.json()["status"]) == (200, status), action
    listed = staff_api.get(url("api-supervisors"), {"status": "dismissed"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]


def test_refusals_answer_with_their_codes(staff, bidder_a, recommend, appointed):
    candidate = recommend("api_qian")
    bidder = api_as(bidder_a)
    vet = bidder.post(url("api-supervisor-vet", supervisor_id=candidate.pk), {}, format="json")
    assert (vet.status_code, vet.json()["code"]) == (403, "not_staff")
    assert bidder.get(url("api-supervisors")).status_code == 403
    assert bidder.get(url("api-supervisor", supervisor_id=candidate.pk)).status_code == 404
    no_letter = api_as(staff).post(url("api-supervisors"), {"unit_name": "单位", "unit_uscc": UNIT_USCC,
                                                            "user": bidder_a.pk}, format="multipart")
    assert (no_letter.status_code, no_letter.json()["code"]) == (400, "required")
    supervisor = appointed("api_sun")
    other = api_as(staff).post(url("api-supervisor-pledge", supervisor_id=supervisor.pk))
    assert (other.status_code, other.json()["code"]) == (403, "not_yours")
    assert Supervisor.objects.get(pk=candidate.pk).status == Supervisor.Status.RECOMMENDED


def test_a_draw_through_the_api_with_a_recusal(staff, appointed, bidder_a, lot):
    employee = appointed("api_employee", employer_id=bidder_a.organisation_id)
    registration_create(lot_id=lot.pk, user=bidder_a)
    for name in ("api_a", "api_b", "api_c"):
        appointed(name)
    staff_api = api_as(staff)
    drawn = staff_api.post(url("api-lot-supervisor-draws", lot_id=lot.pk), {"session_kind": "opening"},
                           format="json")
    assert drawn.status_code == 201, drawn.json()
    draw = drawn.json()
    assert draw["redone"] and draw["excluded"] == [{"supervisor": employee.pk, "grounds": ["employer_bidder"]}]
    public = APIClient().get(url("api-lot-supervisor-draws", lot_id=lot.pk)).json()
    assert public[0]["excluded"] == [{"supervisor": employee.pk, "grounds": ["conflict"]}]
    assert public[0]["seed"] == draw["seed"] and public[0]["pool"] == draw["pool"]

    seats = list(Assignment.objects.filter(draw_id=draw["id"]).select_related("supervisor"))
    accepted = api_as(seats[0].supervisor).post(url("api-seat-accept", assignment_id=seats[0].pk))
    assert accepted.status_code == 200 and accepted.json()["accepted_at"]
    stranger = api_as(seats[0].supervisor).post(url("api-seat-accept", assignment_id=seats[1].pk))
    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_yours")
    recused = api_as(seats[1].supervisor).post(url("api-seat-recuse", assignment_id=seats[1].pk),
                                               {"reason": "与投标人有亲属关系"}, format="json")
    assert recused.status_code == 201
    refused = api_as(bidder_a).post(url("api-recusal-decide", recusal_id=recused.json()["id"]),
                                    {"approve": True}, format="json")
    assert refused.json()["code"] == "not_staff"
    decided = staff_api.post(url("api-recusal-decide", recusal_id=recused.json()["id"]), {"approve": True},
                             format="json")
    assert decided.status_code == 200 and decided.json()["redraw"]
    listed = staff_api.get(url("api-lot-supervisor-draws", lot_id=lot.pk)).json()
    assert [row["replaces"] for row in listed] == [None, draw["id"]]
    bench = api_as(seats[0].supervisor).get(url("api-supervisor-workbench")).json()
    assert [seat["id"] for seat in bench["accepted"]] == [seats[0].pk]
    assert [seat["id"] for seat in bench["reports_due"]] == [seats[0].pk]


def test_the_registry_list_takes_the_same_queries_however_long(staff, appointed, recommend):
    def queries():
        api = api_as(staff)
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url("api-supervisors")).status_code == 200
        return len(captured)

    appointed("q_a", markets=["land"])
    few = queries()
    for name in ("q_b", "q_c", "q_d"):
        recommend(name, markets=["hr", "construction"])
    assert queries() == few

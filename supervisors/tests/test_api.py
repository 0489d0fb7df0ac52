"""The REST API of supervision: staff assign and revoke; the assigned supervisor keeps their note."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from supervisors.models import Assignment
from supervisors.selectors import note_get, supervisor_is_assigned
from supervisors.services import NOTE_MAX, assignment_create, assignment_revoke
from trading.models import User
from trading.services.moves import lot_transition

pytestmark = pytest.mark.django_db

STAFF = "user:1"


def api_as(user):
    api = APIClient()
    if user is not None:
        # A fresh instance, so that the roles the fixture cached are read again as on a real request.
        api.force_authenticate(User.objects.get(pk=user.pk))
    return api


def supervisors_url(lot_id):
    return reverse("api-lot-supervisors", kwargs={"lot_id": lot_id})


def note_url(lot_id):
    return reverse("api-observation-note", kwargs={"lot_id": lot_id})


def test_staff_assign_a_supervisor_through_the_api(staff, supervisor, lot):
    response = api_as(staff).post(supervisors_url(lot.pk), {"supervisor": supervisor.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["lot"], body["supervisor"], body["active"], body["assigned_by"]) == (
        lot.pk, supervisor.pk, True, f"user:{staff.pk}")
    assert supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)


def test_refused_assignments_answer_with_a_code(staff, supervisor, bidder_a, lot, make_lot):
    api = api_as(staff)
    cases = [
        ({"supervisor": bidder_a.pk}, lot.pk, 400, "not_supervisor"),
        ({"supervisor": "me"}, lot.pk, 400, "invalid"),
        ({"supervisor": supervisor.pk}, 999_999, 404, "lot_not_found"),
    ]
    ended = make_lot("hr")
    lot_transition(lot_id=ended.pk, transition="cancel", actor=STAFF)
    cases.append(({"supervisor": supervisor.pk}, ended.pk, 409, "lot_ended"))
    for data, lot_id, status, code in cases:
        response = api.post(supervisors_url(lot_id), data, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), data
        assert response.json()["detail"]
    assert not Assignment.objects.exists()

    assert api.post(supervisors_url(lot.pk), {"supervisor": supervisor.pk}, format="json").status_code == 201
    again = api.post(supervisors_url(lot.pk), {"supervisor": supervisor.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_assigned")


def test_the_list_costs_the_same_queries_however_many_assignments(staff, supervisor, make_person, lot,
                                                                   django_assert_num_queries):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    api = api_as(staff)
    # roles of the caller, the lot, the count, the page with each supervisor
    with django_assert_num_queries(4):
        assert api.get(supervisors_url(lot.pk)).json()["count"] == 1

    for i in range(5):
        other = make_person(f"supervisor_{i}", ["supervisor"])
        revoked = assignment_create(lot_id=lot.pk, supervisor_id=other.pk, actor=STAFF)
        assignment_revoke(assignment_id=revoked.pk, actor=STAFF)
        assignment_create(lot_id=lot.pk, supervisor_id=other.pk, actor=STAFF)
    api = api_as(staff)
    with django_assert_num_queries(4):
        body = api.get(supervisors_url(lot.pk)).json()
    assert body["count"] == 11
    assert [row["active"] for row in body["results"]] == [True] * 6 + [False] * 5
    assert {row["supervisor_username"] for row in body["results"]} >= {"supervisor", "supervisor_0"}


def test_the_list_of_a_lot_that_does_not_exist_is_not_found(staff):
    response = api_as(staff).get(supervisors_url(999_999))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("person", ["supervisor", "regulator", "bidder_a", None])
def test_only_staff_list_and_assign(request, person, lot, supervisor):
    api = api_as(request.getfixturevalue(person) if person else None)
    assert api.get(supervisors_url(lot.pk)).status_code in (401, 403)
    assert api.post(supervisors_url(lot.pk), {"supervisor": supervisor.pk}, format="json").status_code in (401, 403)
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    revoke = reverse("api-supervisor-assignment-revoke", kwargs={"assignment_id": assignment.pk})
    assert api.post(revoke).status_code in (401, 403)
    assert Assignment.objects.get().is_active


def test_staff_revoke_through_the_api(staff, supervisor, lot):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    api = api_as(staff)
    url = reverse("api-supervisor-assignment-revoke", kwargs={"assignment_id": assignment.pk})

    response = api.post(url)

    assert response.status_code == 200
    assert (response.json()["active"], response.json()["revoked_by"]) == (False, f"user:{staff.pk}")
    assert not supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    again = api.post(url)
    assert (again.status_code, again.json()["code"]) == (409, "already_revoked")
    missing = api.post(reverse("api-supervisor-assignment-revoke", kwargs={"assignment_id": 999_999}))
    assert (missing.status_code, missing.json()["code"]) == (404, "assignment_not_found")


def test_the_assigned_supervisor_reads_and_saves_their_note(supervisor, lot):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    api = api_as(supervisor)

    empty = api.get(note_url(lot.pk)).json()
    assert empty == {"lot": lot.pk, "text": "", "updated_at": None}

    saved = api.put(note_url(lot.pk), {"text": "  开标有序。\n"}, format="json")
    assert saved.status_code == 200 and saved.json()["text"] == "  开标有序。\n" and saved.json()["updated_at"]
    assert api.get(note_url(lot.pk)).json()["text"] == "  开标有序。\n"

    too_long = api.put(note_url(lot.pk), {"text": "x" * (NOTE_MAX + 1)}, format="json")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "note_too_long")
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == "  开标有序。\n"


def test_no_note_for_a_supervisor_not_or_no_longer_assigned(supervisor, staff, lot):
    api = api_as(supervisor)
    for response in (api.get(note_url(lot.pk)), api.put(note_url(lot.pk), {"text": "x"}, format="json")):
        assert (response.status_code, response.json()["code"]) == (403, "not_assigned")

    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_revoke(assignment_id=assignment.pk, actor=STAFF)
    response = api.put(note_url(lot.pk), {"text": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_assigned")
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk) is None

    assert api_as(staff).get(note_url(lot.pk)).status_code == 403


def test_the_openapi_schema_lists_the_supervision_endpoints():
    schema = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/lots/{lot_id}/supervisors/"])
    assert "post" in schema["paths"]["/api/v1/supervisor-assignments/{assignment_id}/revoke/"]
    assert {"get", "put"} <= set(schema["paths"]["/api/v1/lots/{lot_id}/observation-note/"])

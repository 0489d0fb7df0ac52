"""The staff page that assigns a lot's supervisors and the supervisor's own page with their notes."""
import pytest
from django.urls import reverse

from supervisors.models import Assignment, ObservationNote
from supervisors.selectors import note_get, supervisor_is_assigned
from supervisors.services import NOTE_MAX, assignment_create, assignment_revoke, observation_note_save

pytestmark = pytest.mark.django_db

STAFF = "user:1"


def staff_page(lot):
    return reverse("staff-lot-supervisors", kwargs={"lot_id": lot.pk})


def test_the_staff_lot_page_links_to_its_supervisors(client, staff, lot):
    client.force_login(staff)
    assert staff_page(lot) in client.get(reverse("staff-lot", kwargs={"lot_id": lot.pk})).content.decode()


def test_staff_assign_a_supervisor_chosen_from_the_supervisors(client, staff, supervisor, bidder_a, lot):
    client.force_login(staff)
    page = client.get(staff_page(lot))
    assert page.status_code == 200
    choices = [str(pk) for pk, _label in page.context["form"].fields["supervisor"].choices if pk]
    assert choices == [str(supervisor.pk)]  # nobody else holds the role

    response = client.post(staff_page(lot), {"supervisor": supervisor.pk}, follow=True)

    assert response.redirect_chain[-1][0] == staff_page(lot)
    assert supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    [assignment] = Assignment.objects.all()
    assert assignment.assigned_by == f"user:{staff.pk}"
    assert f'data-assignment="{assignment.pk}" data-active="1"' in response.content.decode()


def test_bad_input_on_the_staff_page_changes_nothing(client, staff, supervisor, bidder_a, lot):
    client.force_login(staff)
    for data in ({"supervisor": bidder_a.pk}, {"supervisor": "x"}, {}):
        response = client.post(staff_page(lot), data)
        assert response.status_code == 400 and response.context["error"]
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    response = client.post(staff_page(lot), {"supervisor": supervisor.pk})
    assert response.status_code == 409 and 'data-testid="error"' in response.content.decode()
    assert Assignment.objects.count() == 1


def test_staff_revoke_an_assignment_from_the_page(client, staff, supervisor, lot, make_lot):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    client.force_login(staff)
    other_lot = make_lot("procurement")
    wrong = reverse("staff-supervisor-revoke", kwargs={"lot_id": other_lot.pk, "assignment_id": assignment.pk})
    assert client.post(wrong).status_code == 404

    url = reverse("staff-supervisor-revoke", kwargs={"lot_id": lot.pk, "assignment_id": assignment.pk})
    response = client.post(url, follow=True)

    assert not supervisor_is_assigned(lot_id=lot.pk, user_id=supervisor.pk)
    assert f'data-assignment="{assignment.pk}" data-active="0"' in response.content.decode()
    assert client.post(url).status_code == 409  # already revoked: said so, nothing changed
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("person", ["supervisor", "regulator", "bidder_a"])
def test_only_staff_reach_the_assignment_page(request, client, lot, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(staff_page(lot)).status_code == 403
    assert client.post(staff_page(lot), {"supervisor": 1}).status_code == 403
    assert not Assignment.objects.exists()


def test_anonymous_visitors_are_refused(client, lot):
    assert client.get(staff_page(lot)).status_code == 403
    assert client.get(reverse("supervision-mine")).status_code == 403


def test_a_supervisor_sees_the_lots_they_watch_with_their_notes(client, supervisor, lot, make_lot):
    draft = make_lot("procurement")
    gone = make_lot("hr")
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_create(lot_id=draft.pk, supervisor_id=supervisor.pk, actor=STAFF)
    revoked = assignment_create(lot_id=gone.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_revoke(assignment_id=revoked.pk, actor=STAFF)
    observation_note_save(lot_id=lot.pk, user=supervisor, text="开标前：设备检查完毕")
    client.force_login(supervisor)

    page = client.get(reverse("supervision-mine"))

    body = page.content.decode()
    assert [row["lot"] for row in page.context["rows"]] == [draft, lot]
    assert f'data-lot="{gone.pk}"' not in body
    assert reverse("opening-page", kwargs={"lot_id": lot.pk}) in body
    assert reverse("opening-page", kwargs={"lot_id": draft.pk}) not in body  # no room before publication
    assert "开标前：设备检查完毕" in body


def test_a_supervisor_saves_their_note_from_the_page(client, supervisor, lot):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    client.force_login(supervisor)
    url = reverse("supervision-note-save", kwargs={"lot_id": lot.pk})

    response = client.post(url, {f"lot{lot.pk}-text": "唱标顺序符合规定。"})

    assert response.status_code == 302 and response.url == reverse("supervision-mine")
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == "唱标顺序符合规定。"


def test_a_note_too_long_is_refused_and_shown_again(client, supervisor, lot):
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    observation_note_save(lot_id=lot.pk, user=supervisor, text="原稿")
    client.force_login(supervisor)
    text = "长" * (NOTE_MAX + 1)

    response = client.post(reverse("supervision-note-save", kwargs={"lot_id": lot.pk}), {f"lot{lot.pk}-text": text})

    assert response.status_code == 400 and response.context["error"]
    assert text in response.content.decode()  # nothing typed is lost
    assert note_get(lot_id=lot.pk, user_id=supervisor.pk).text == "原稿"


def test_a_revoked_supervisor_cannot_save_from_the_page(client, supervisor, lot):
    assignment = assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=STAFF)
    assignment_revoke(assignment_id=assignment.pk, actor=STAFF)
    client.force_login(supervisor)

    response = client.post(reverse("supervision-note-save", kwargs={"lot_id": lot.pk}), {f"lot{lot.pk}-text": "x"})

    assert response.status_code == 403 and 'data-testid="error"' in response.content.decode()
    assert not ObservationNote.objects.exists()


def test_only_supervisors_have_a_supervision_page(client, staff, lot):
    client.force_login(staff)
    assert client.get(reverse("supervision-mine")).status_code == 403
    assert client.post(reverse("supervision-note-save", kwargs={"lot_id": lot.pk}), {"text": "x"}).status_code == 403


def test_an_ended_lot_offers_no_assignment(client, staff, supervisor, make_lot):
    from trading.services.moves import lot_transition

    lot = make_lot("construction")
    lot_transition(lot_id=lot.pk, transition="cancel", actor=STAFF)
    client.force_login(staff)
    assert 'data-testid="assign"' not in client.get(staff_page(lot)).content.decode()
    assert client.post(staff_page(lot), {"supervisor": supervisor.pk}).status_code == 409
    assert not Assignment.objects.exists()

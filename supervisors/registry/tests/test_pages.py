"""The registry's pages in both languages: staff recommend, vet and appoint; the supervisor accepts
the pledge on the workbench and gets the certificate; staff draw for a lot; seats are accepted or
recused from; documents go to whom they concern."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supervisors.models import Assignment
from supervisors.registry.models import Recusal, Supervisor
from supervisors.registry.tests.conftest import PASSWORD, PDF, UNIT_USCC, resident_id
from trading import clock
from trading.models import User
from trading.workdays import local_day

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")


def pdf_file():
    return SimpleUploadedFile("document.pdf", PDF, content_type="application/pdf")


def test_staff_recommend_vet_and_appoint_and_the_supervisor_pledges_on_the_workbench(client, staff):
    client.force_login(staff)
    for language in LANGUAGES:
        page = client.get(reverse("staff-supervisors"), HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200 and f'lang="{language}"' in page.content.decode()
    assert client.get(reverse("staff-supervisor-recommend")).status_code == 200
    answer = client.post(reverse("staff-supervisor-recommend"), {
        "unit_name": "市人大代表联络站", "unit_uscc": UNIT_USCC, "letter": pdf_file(), "username": "page_wu",
        "display_name": "吴监督", "resident_id": resident_id(21), "password": PASSWORD, "markets": ["land"]})
    supervisor = Supervisor.objects.get(user__username="page_wu")
    assert answer.status_code == 302 and answer["Location"] == reverse("staff-supervisor", args=[supervisor.pk])
    person_page = reverse("staff-supervisor", args=[supervisor.pk])
    for language in LANGUAGES:
        page = client.get(person_page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'data-testid="vet-form"' in page and "市人大代表联络站" in page

    action = lambda name: reverse("staff-supervisor-action", args=[supervisor.pk, name])  # noqa: E731
    assert client.post(action("vet"), {"notes": "无利害关系"}).status_code == 302
    no_file = client.post(action("appoint"), {"agreement_signed_on": local_day(clock.now()).isoformat()})
    assert no_file.status_code == 400 and 'data-testid="error"' in no_file.content.decode()
    assert client.post(action("appoint"), {"agreement_signed_on": local_day(clock.now()).isoformat(),
                                           "agreement": pdf_file()}).status_code == 302
    assert Supervisor.objects.get(pk=supervisor.pk).status == Supervisor.Status.APPOINTED

    client.force_login(User.objects.get(username="page_wu"))
    for language in LANGUAGES:
        bench = client.get(reverse("supervision-workbench"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'data-testid="pledge-form"' in bench
    assert client.post(reverse("supervision-pledge")).status_code == 302
    bench = client.get(reverse("supervision-workbench")).content.decode()
    number = Supervisor.objects.get(pk=supervisor.pk).certificate_number
    assert number and f'data-testid="certificate-number">{number}<' in bench
    certificate = client.get(reverse("supervisor-document", args=[supervisor.pk, "certificate"]))
    assert certificate.status_code == 200 and b"".join(certificate.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("supervisor-document", args=[supervisor.pk, "letter"])).status_code == 404
    assert client.get(reverse("staff-supervisors")).status_code == 403

    client.force_login(staff)
    letter = client.get(reverse("supervisor-document", args=[supervisor.pk, "letter"]))
    assert b"".join(letter.streaming_content) == PDF


def test_staff_draw_on_the_lot_page_and_seats_are_answered_on_the_workbench(client, staff, appointed, lot):
    people = [appointed(name) for name in ("page_a", "page_b", "page_c")]
    client.force_login(staff)
    assert 'data-testid="draws-link"' in client.get(reverse("staff-lot-supervisors", args=[lot.pk])).content.decode()
    draws_page = reverse("staff-lot-draws", args=[lot.pk])
    assert 'data-testid="no-draws"' in client.get(draws_page).content.decode()
    wrong = client.post(draws_page, {"session_kind": "auction"})
    assert wrong.status_code == 400
    assert client.post(draws_page, {"session_kind": "opening"}).status_code == 302
    for language in LANGUAGES:
        page = client.get(draws_page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        seats = list(Assignment.objects.filter(lot=lot).select_related("supervisor"))
        assert seats[0].draw.seed in page and 'data-testid="redone"' in page
    again = client.post(draws_page, {"session_kind": "opening"})
    assert again.status_code == 409 and 'data-testid="error"' in again.content.decode()

    first, second = seats
    client.force_login(first.supervisor)
    bench = client.get(reverse("supervision-workbench")).content.decode()
    assert f'data-seat="{first.pk}"' in bench and 'data-testid="seat-accept"' in bench
    assert client.post(reverse("supervision-seat-accept", args=[first.pk])).status_code == 302
    bench = client.get(reverse("supervision-workbench")).content.decode()
    assert reverse("opening-page", kwargs={"lot_id": lot.pk}) in bench
    other = client.post(reverse("supervision-seat-accept", args=[second.pk]))
    assert other.status_code == 403 and Assignment.objects.get(pk=second.pk).accepted_at is None

    client.force_login(second.supervisor)
    assert client.post(reverse("supervision-seat-recuse", args=[second.pk]),
                       {"reason": "我曾在投标人处任职"}).status_code == 302
    recusal = Recusal.objects.get(assignment=second)
    client.force_login(staff)
    assert 'data-testid="recusal"' in client.get(draws_page).content.decode()
    assert client.post(reverse("staff-recusal-decide", args=[lot.pk, recusal.pk]),
                       {"approve": "1", "reason": ""}).status_code == 302
    assert Recusal.objects.get(pk=recusal.pk).redraw is not None
    third = ({p.user_id for p in people} - {first.supervisor_id, second.supervisor_id}).pop()
    assert Assignment.objects.filter(lot=lot, supervisor_id=third, revoked_at__isnull=True).exists()


def test_a_person_nominates_themself(client, make_person):
    person = make_person("page_self", [], resident_id=resident_id(22))
    client.force_login(person)
    assert client.get(reverse("supervision-nominate")).status_code == 200
    assert client.post(reverse("supervision-nominate"), {"employer_name": "某社区", "markets": []}).status_code == 302
    bench = client.get(reverse("supervision-workbench")).content.decode()
    assert 'data-status="recommended"' in bench


def test_the_registry_pages_are_for_staff(client, bidder_a, staff, appointed, lot, make_lot):
    supervisor = appointed("page_d")
    client.force_login(bidder_a)
    for page in (reverse("staff-supervisors"), reverse("staff-supervisor", args=[supervisor.pk]),
                 reverse("staff-lot-draws", args=[lot.pk]), reverse("supervision-workbench")):
        assert client.get(page).status_code == 403, page
    refused = client.post(reverse("staff-supervisor-action", args=[supervisor.pk, "dismiss"]), {"reason": "x"})
    assert refused.status_code == 403
    assert Supervisor.objects.get(pk=supervisor.pk).status == Supervisor.Status.APPOINTED
    assert client.get(reverse("supervisor-document", args=[supervisor.pk, "certificate"])).status_code == 404
    client.force_login(staff)
    draft = make_lot("construction")
    assert 'data-testid="draw-form"' not in client.get(reverse("staff-lot-draws", args=[draft.pk])).content.decode()

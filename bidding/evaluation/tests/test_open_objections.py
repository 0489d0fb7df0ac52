"""Staff find a lot's objections awaiting an answer without knowing their ids: to the opening record,
to the candidates and to the tender documents, in the API and on the staff lot page, each with the
way to answer it; regulators read them; bidders and anonymous users are refused."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bidding.evaluation.services.awards import candidate_objection_file, candidates_publish
from bidding.evaluation.tests.test_awards import PRICES
from bidding.sealed.services.opening import opening_answer, opening_object, opening_start, share_present
from bidding.sealed.tests.test_opening import bid_all, close
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading.models import DocumentObjection, Lot
from trading.services.lots import lot_publish, lot_submit
from trading.services.objections import objection_file
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def opening_with_objections(make_lot, publish_sealed, custodians, bidder_a, bidder_b, make_person):
    """A lot whose record is out: bidder_b's objection awaits an answer, bidder_c's was answered."""
    from decimal import Decimal

    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    bidders = {"bidder_a": bidder_a, "bidder_b": bidder_b,
               "bidder_c": make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")}
    bid_all(lot, bidders)
    close(lot)
    session = opening_start(lot_id=lot.pk, actor="user:1")
    for custodian in custodians[1:]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    waiting = opening_object(session_id=session.pk, user=bidder_b, text="报价读错了")
    answered = opening_object(session_id=session.pk, user=bidders["bidder_c"], text="工期读错了")
    opening_answer(response_id=answered.pk, answer="已核对。", actor="user:1")
    return lot, waiting


def _listed(api, lot) -> list[dict]:
    response = api.get(reverse("api-lot-open-objections", args=[lot.pk]))
    assert response.status_code == 200, response.json()
    return response.json()


def test_staff_and_regulators_list_a_lots_open_objections_bidders_and_the_public_are_refused(
        opening_with_objections, staff, regulator, bidder_a, django_assert_num_queries):
    lot, waiting = opening_with_objections
    api = APIClient()
    refused = api.get(reverse("api-lot-open-objections", args=[lot.pk]))
    assert (refused.status_code, refused.json()["code"]) == (401, "not_authenticated")
    api.force_authenticate(bidder_a)
    refused = api.get(reverse("api-lot-open-objections", args=[lot.pk]))
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")

    api.force_authenticate(staff)
    with django_assert_num_queries(5):  # the staff's roles, the lot, and one read per kind
        listed = _listed(api, lot)
    assert [(o["kind"], o["id"], o["organisation"], o["text"]) for o in listed] == [
        ("opening", waiting.pk, "乙工程有限公司", "报价读错了")]
    assert listed[0]["reply_due_at"] is None and listed[0]["overdue"] is False
    assert listed[0]["answer_url"] == reverse("api-opening-answer", args=[waiting.pk])
    api.force_authenticate(regulator)
    assert _listed(api, lot) == listed
    assert api.get(reverse("api-lot-open-objections", args=[999999])).json()["code"] == "not_found"

    # Staff answer it where the list says; it leaves the list.
    api.force_authenticate(staff)
    assert api.post(listed[0]["answer_url"], {"answer": "已核对，报价无误。"}, format="json").status_code == 200
    assert _listed(api, lot) == []


def test_the_staff_lot_page_lists_them_with_a_form_regulators_read_them_only(
        opening_with_objections, staff, regulator, bidder_a, client):
    lot, waiting = opening_with_objections
    client.force_login(staff)
    page = client.get(reverse("staff-lot", args=[lot.pk])).content.decode()
    assert f'data-kind="opening" data-objection="{waiting.pk}"' in page
    action = reverse("opening-answer", args=[lot.pk, waiting.pk])
    assert f'action="{action}"' in page

    answered = client.post(action, {"answer": "已核对，报价无误。"})
    assert answered.status_code == 302
    page = client.get(reverse("staff-lot", args=[lot.pk])).content.decode()
    assert 'data-testid="open-objections"' in page and 'data-testid="open-objection"' not in page

    client.force_login(regulator)
    assert client.get(reverse("staff-lot", args=[lot.pk])).status_code == 403
    read = client.get(reverse("lot-open-objections", args=[lot.pk]))
    assert read.status_code == 200 and 'data-testid="open-objections"' in read.content.decode()
    client.force_login(bidder_a)
    assert client.get(reverse("lot-open-objections", args=[lot.pk])).status_code == 403


def test_candidate_and_document_objections_are_listed_with_their_due_days(
        lot_in_evaluation, evaluate, make_lot, bidder_a, staff, regulator, client):
    publicity, bidders = lot_in_evaluation(PRICES)
    evaluate(publicity)
    candidates_publish(lot_id=publicity.pk, actor="user:1")
    candidate = candidate_objection_file(lot_id=publicity.pk, user=bidders[3], text="第一候选人业绩证明不实")

    tender = make_lot("construction", days=25)
    lot_submit(lot_id=tender.pk, actor="user:1")
    lot_publish(lot_id=tender.pk, title="招标公告", body="……", actor="user:1")
    registration_create(lot_id=tender.pk, user=bidder_a)
    document = objection_file(lot_id=tender.pk, user=bidder_a, text="资格条件相互矛盾，请澄清。")

    api = APIClient()
    api.force_authenticate(regulator)
    [listed] = _listed(api, publicity)
    assert (listed["kind"], listed["id"], listed["overdue"]) == ("candidates", candidate.pk, False)
    assert listed["reply_due_at"] is not None
    assert listed["answer_url"] == reverse("api-candidate-objection-reply", args=[candidate.pk])
    [listed] = _listed(api, tender)
    assert (listed["kind"], listed["id"]) == ("documents", document.pk)
    assert listed["answer_url"] == reverse("api-objection-reply", args=[document.pk])

    # The regulator's page has no forms and no links to staff pages.
    client.force_login(regulator)
    page = client.get(reverse("lot-open-objections", args=[publicity.pk])).content.decode()
    assert f'data-kind="candidates" data-objection="{candidate.pk}"' in page
    assert 'data-testid="answer-objection"' not in page and reverse("staff-evaluation", args=[publicity.pk]) not in page

    # Staff answer each from the staff lot page's forms, which post where they are answered today.
    client.force_login(staff)
    page = client.get(reverse("staff-lot", args=[publicity.pk])).content.decode()
    assert f'action="{reverse("staff-evaluation-action", args=[publicity.pk, "reply"])}"' in page
    assert f'name="objection" value="{candidate.pk}"' in page
    client.post(reverse("staff-evaluation-action", args=[publicity.pk, "reply"]),
                {"objection": candidate.pk, "reply": "经核查，业绩证明真实有效"})
    publicity.refresh_from_db()
    assert publicity.status == Lot.Status.PUBLICITY
    page = client.get(reverse("staff-lot", args=[tender.pk])).content.decode()
    action = reverse("lot-objection-reply", args=[tender.pk, document.pk])
    assert f'action="{action}"' in page
    client.post(action, {"reply": "以资格条件为准。"})
    assert DocumentObjection.objects.get(pk=document.pk).replied_at is not None
    api.force_authenticate(staff)
    assert _listed(api, publicity) == [] and _listed(api, tender) == []

"""The issue's 'done when', from the API and from the pages: a procurement lot goes opening → draw →
scoring → candidates → publicity (with an objection answered) → regulator approval → award notice →
contract."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from bidding.evaluation.models import Evaluation, Notice, PanelMember
from bidding.sealed.models import Bid
from monitoring.models import AuditEntry
from trading import clock
from trading.models import Lot
from trading.services.lots import lot_due_sweep

pytestmark = pytest.mark.django_db
PRICES = ["800000.00", "900000.00", "1000000.00"]


def api(client, user, method, path, data=None):
    client.force_login(user)
    return getattr(client, method)(path, data or {}, content_type="application/json")


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def publicity_over(lot):
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()


def test_a_procurement_lot_from_opening_to_contract_through_the_api(lot_in_evaluation, expert_pool, staff,
                                                                    regulator, client):
    lot, bidders = lot_in_evaluation(PRICES, deposit="10000.00")
    experts = [expert.user for expert in expert_pool(6)]
    made = api(client, staff, "post", f"/api/v1/lots/{lot.pk}/evaluation/", {
        "method": "comprehensive", "category": "goods", "panel_size": 5, "price_weight": "40",
        "price_formula": "low_price_first", "items": [{"code": "tech", "name": "技术方案", "max": "60"}]})
    assert made.status_code == 201, made.content
    evaluation_id = made.json()["id"]
    bad = api(client, staff, "post", f"/api/v1/evaluations/{evaluation_id}/draw/", {"specialties": {"goods": 3}})
    assert (bad.status_code, bad.json()["code"]) == (400, "draw_count")
    drawn = api(client, staff, "post", f"/api/v1/evaluations/{evaluation_id}/draw/", {"specialties": {"goods": 5}})
    assert drawn.status_code == 201 and len(drawn.json()) == 5
    # Bidders learn nothing of the panel.
    assert api(client, bidders[0], "get", f"/api/v1/lots/{lot.pk}/evaluation/").status_code == 404

    seats = {member.user_id: member for member in PanelMember.objects.filter(evaluation_id=evaluation_id)}
    members = [user for user in experts if user.pk in seats]
    # A member sees no bid before declaring.
    blind = api(client, members[0], "get", f"/api/v1/evaluations/{evaluation_id}/bids/")
    assert (blind.status_code, blind.json()["code"]) == (403, "not_seated")
    for user in members:
        answer = api(client, user, "post", f"/api/v1/panel-seats/{seats[user.pk].pk}/answer/", {"no_conflict": True})
        assert answer.status_code == 200, answer.content
    bids = api(client, members[0], "get", f"/api/v1/evaluations/{evaluation_id}/bids/").json()
    assert sorted(Decimal(bid["price"]) for bid in bids) == [Decimal(price) for price in PRICES]
    for n, user in enumerate(members):
        entries = {str(bid["id"]): {"compliant": True, "scores": {"tech": str(50 + n)}} for bid in bids}
        handed = api(client, user, "put", f"/api/v1/evaluations/{evaluation_id}/sheet/", {"entries": entries})
        assert handed.status_code == 200, handed.content
    # Nobody reads another's sheet.
    assert api(client, staff, "get", f"/api/v1/evaluations/{evaluation_id}/sheet/").status_code == 404
    assert api(client, staff, "post", f"/api/v1/evaluations/{evaluation_id}/conclude/").status_code == 200
    report = api(client, regulator, "get", f"/api/v1/evaluations/{evaluation_id}/report/").json()
    assert report["document"]["kind"] == "evaluation-report"

    assert api(client, staff, "post", f"/api/v1/lots/{lot.pk}/candidates/publish/").status_code == 200
    result = client.get(f"/api/v1/lots/{lot.pk}/result/").json()
    assert [c["price"] for c in result["candidates"]] == PRICES and result["panel"] == []
    objected = api(client, bidders[2], "post", f"/api/v1/lots/{lot.pk}/candidates/objections/",
                   {"text": "第一候选人报价明显低于成本"})
    assert objected.status_code == 201
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.SUSPENDED
    replied = api(client, staff, "post", f"/api/v1/candidate-objections/{objected.json()['id']}/reply/",
                  {"reply": "经评标委员会复核，报价不低于成本"})
    assert replied.status_code == 200
    publicity_over(lot)
    assert lot.status == Lot.Status.AWARD_REVIEW

    proposed = api(client, staff, "post", f"/api/v1/lots/{lot.pk}/award/proposals/", {"note": "请审核"})
    assert proposed.status_code == 201
    queue = api(client, regulator, "get", "/api/v1/award-proposals/").json()
    assert [p["id"] for p in queue] == [proposed.json()["id"]]
    assert api(client, staff, "get", "/api/v1/award-proposals/").status_code == 403
    approved = api(client, regulator, "post", f"/api/v1/award-proposals/{proposed.json()['id']}/review/",
                   {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    mine = api(client, bidders[0], "get", f"/api/v1/lots/{lot.pk}/notices/mine/").json()
    assert [n["kind"] for n in mine] == ["award"]
    assert mine[0]["document"]["document"]["body"]["price_in_capitals"] == "人民币捌拾万元整"
    theirs = api(client, bidders[1], "get", f"/api/v1/lots/{lot.pk}/notices/mine/").json()
    assert [n["kind"] for n in theirs] == ["result"]
    result = client.get(f"/api/v1/lots/{lot.pk}/result/").json()
    assert result["award"]["winner_uscc"] == bidders[0].organisation.uscc and len(result["panel"]) == 5

    contract = api(client, staff, "post", f"/api/v1/lots/{lot.pk}/contract/",
                   {"signed_on": clock.now().date().isoformat(), "amount": "800000.00", "reference": "HT-1"})
    assert contract.status_code == 201, contract.content
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.CONTRACTED
    moves = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed")
                 .order_by("subject_seq").values_list("data__to", flat=True))
    assert moves[-6:] == ["publicity", "suspended", "publicity", "award_review", "awarded", "contracted"]


def test_a_procurement_lot_from_opening_to_contract_through_the_pages(lot_in_evaluation, expert_pool, staff,
                                                                      regulator, client):
    lot, bidders = lot_in_evaluation(PRICES)
    expert_pool(5)
    client.force_login(staff)
    assert client.get(f"/staff/lots/{lot.pk}/").content.decode().count("evaluation-link") == 1
    refused = client.post(f"/staff/lots/{lot.pk}/evaluation/create/", {
        "method": "lowest_price", "category": "goods", "panel_size": 4, "representatives": 0})
    assert refused.status_code == 400 and not Evaluation.objects.exists()
    page = client.post(f"/staff/lots/{lot.pk}/evaluation/create/", {
        "method": "lowest_price", "category": "goods", "panel_size": 5, "representatives": 0})
    assert page.status_code == 302
    assert client.post(f"/staff/lots/{lot.pk}/evaluation/draw/", {"specialty_goods": 5}).status_code == 302
    evaluation = Evaluation.objects.get(lot=lot)
    assert evaluation.members.count() == 5

    for member in evaluation.members.select_related("user"):
        client.force_login(member.user)
        assert f"seat-{member.pk}" in client.get("/panel/").content.decode()
        assert client.get(f"/panel/evaluations/{evaluation.pk}/").status_code == 404  # not seated yet
        client.post(f"/panel/seats/{member.pk}/answer/", {"no_conflict": "yes"})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SCORING
    bids = list(Bid.objects.filter(lot=lot))
    for member in evaluation.members.select_related("user"):
        client.force_login(member.user)
        form = client.get(f"/panel/evaluations/{evaluation.pk}/").content.decode()
        assert all(f"b{bid.pk}-compliant" in form for bid in bids)
        incomplete = client.post(f"/panel/evaluations/{evaluation.pk}/", {f"b{bids[0].pk}-compliant": "yes"})
        assert incomplete.status_code == 400
        handed = client.post(f"/panel/evaluations/{evaluation.pk}/", {f"b{bid.pk}-compliant": "yes" for bid in bids})
        assert handed.status_code == 302
    client.force_login(staff)
    client.post(f"/staff/lots/{lot.pk}/evaluation/conclude/")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.REPORTED
    report = client.get(f"/evaluations/{evaluation.pk}/report.pdf")
    assert report["Content-Type"] == "application/pdf" and bidders[0].organisation.name in pdf_text(report.content)
    client.post(f"/staff/lots/{lot.pk}/evaluation/publish/")

    client.force_login(bidders[1])
    page = client.get(f"/lots/{lot.pk}/result/").content.decode()
    assert bidders[0].organisation.name in page and 'data-testid="object-button"' in page
    client.post(f"/lots/{lot.pk}/result/object/", {"text": "请复核第一候选人资格"})
    lot.refresh_from_db()
    assert lot.status == Lot.Status.SUSPENDED
    client.force_login(staff)
    objection = lot.candidate_objections.get()
    client.post(f"/staff/lots/{lot.pk}/evaluation/reply/", {"objection": objection.pk, "reply": "资格合格"})
    publicity_over(lot)
    assert client.post(f"/staff/lots/{lot.pk}/evaluation/propose/", {"note": ""}).status_code == 302

    client.force_login(regulator)
    queue = client.get("/review/awards/").content.decode()
    proposal = lot.award_proposals.get()
    assert f"proposal-{proposal.pk}" in queue
    returned = client.post(f"/review/awards/{proposal.pk}/", {"approve": "return", "reasons": ""})
    assert returned.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "under_review"  # a return needs reasons: nothing changed
    client.post(f"/review/awards/{proposal.pk}/", {"approve": "approve"})
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED

    client.force_login(bidders[0])
    notice = Notice.objects.get(kind=Notice.Kind.AWARD)
    text = pdf_text(client.get(f"/notices/{notice.pk}.pdf").content)
    assert "人民币捌拾万元整" in text and bidders[0].organisation.name in text
    client.force_login(bidders[1])
    assert client.get(f"/notices/{notice.pk}.pdf").status_code == 404
    client.force_login(staff)
    signed = clock.now().date()
    assert client.post(f"/staff/lots/{lot.pk}/evaluation/contract/", {
        "signed_on": (signed + timedelta(days=3)).isoformat(), "amount": "800000.00", "reference": "HT-2"}
    ).status_code == 400
    client.post(f"/staff/lots/{lot.pk}/evaluation/contract/", {
        "signed_on": signed.isoformat(), "amount": "800000.00", "reference": "HT-2"})
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CONTRACTED
    page = client.get(f"/lots/{lot.pk}/result/").content.decode()
    assert "HT-2" not in page and signed.isoformat() in page

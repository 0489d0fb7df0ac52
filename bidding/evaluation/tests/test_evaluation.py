"""Evaluation: the panel's size and make-up, the random draw with recusal and replacement, the
members' declarations, independent locked score sheets, the scoring methods and the signed report."""
from decimal import Decimal

import pytest

from bidding.crypto import receipts
from bidding.errors import BiddingError
from bidding.evaluation import rules
from bidding.evaluation.models import Candidate, Evaluation, ExpertDraw, ExpertPenalty, ExpertRelation, PanelMember
from bidding.evaluation.services.evaluation import evaluation_conclude, evaluation_create, panel_subject, sheet_submit
from bidding.evaluation.services.panel import member_answer, member_decline, panel_draw
from bidding.sealed.models import Bid
from monitoring.models import AuditEntry
from trading import signing
from trading.models import Lot

pytestmark = pytest.mark.django_db
ITEMS = [{"code": "tech", "name": "技术方案", "max": "40"}, {"code": "service", "name": "售后服务", "max": "20"}]


def comprehensive(lot, *, size=5, **terms):
    return evaluation_create(lot_id=lot.pk, method="comprehensive", category="goods", panel_size=size,
                             items=terms.pop("items", ITEMS), price_weight=terms.pop("price_weight", "40"),
                             price_formula=terms.pop("price_formula", "low_price_first"), actor="user:1", **terms)


def seat_all(evaluation):
    for member in evaluation.members.filter(status=PanelMember.Status.DRAWN):
        member_answer(member_id=member.pk, user=member.user, no_conflict=True)
    evaluation.refresh_from_db()


def sheet(evaluation, scores, *, noncompliant=()):
    """Entries for every opened bid: ``scores`` maps a bid to (tech, service)."""
    entries = {}
    for bid in Bid.objects.filter(lot=evaluation.lot, status=Bid.Status.OPENED):
        if bid.pk in noncompliant:
            entries[str(bid.pk)] = {"compliant": False, "reason": "资格证明文件缺失"}
        else:
            tech, service = scores[bid.pk]
            entries[str(bid.pk)] = {"compliant": True, "scores": {"tech": str(tech), "service": str(service)}}
    return entries


def bids_by_price(lot):
    return {bid.opening.price: bid for bid in Bid.objects.filter(lot=lot).select_related("opening")}


def test_the_panel_is_odd_at_least_five_and_two_thirds_experts_and_prices_weigh_as_87_says(lot_in_evaluation):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    for terms, code in [({"size": 4}, "committee_size"), ({"size": 3}, "committee_size"),
                        ({"size": 5, "representatives": 2}, "committee_experts"),
                        ({"size": 5, "price_weight": "20", "items": [{"code": "t", "name": "技术", "max": "80"}]},
                         "procurement_price_weight"),
                        ({"size": 5, "price_formula": "average"}, "procurement_low_price_first"),
                        ({"size": 5, "price_weight": "30"}, "weights_not_100"),
                        ({"size": 5, "trim_outliers": True}, "trim_needs_seven")]:
        with pytest.raises(BiddingError) as caught:
            comprehensive(lot, **terms)
        assert caught.value.code == code, terms
    assert not Evaluation.objects.exists()
    # Services: 10 points of price are enough (87号令 Art 55).
    evaluation = evaluation_create(lot_id=lot.pk, method="comprehensive", category="services", panel_size=7,
                                   representatives=2, items=[{"code": "t", "name": "技术", "max": "90"}],
                                   price_weight="10", price_formula="low_price_first", actor="user:1")
    assert evaluation.experts_needed == 5


def test_the_draw_leaves_out_every_recusal_ground_records_its_seed_and_can_be_redone(
        lot_in_evaluation, expert_pool, make_person):
    from datetime import date

    lot, bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    pool = expert_pool(9)
    employed, related, punished, away, expired = pool[:5]
    employed.employer = bidders[0].organisation
    employed.save()
    ExpertRelation.objects.create(expert=related, organisation=lot.project.tenderee, kind="relative")
    ExpertPenalty.objects.create(expert=punished, reason="评标中收受财物", starts_on=date(2025, 1, 1))
    away.available = False
    away.save()
    ExpertPenalty.objects.create(expert=expired, reason="旧处罚", starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))
    evaluation = comprehensive(lot)

    with pytest.raises(BiddingError) as caught:
        panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 4}, actor="user:1")
    assert caught.value.code == "draw_count"
    members = panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")

    drawn = {member.expert_id for member in members}
    assert drawn == {expert.pk for expert in [expired, *pool[5:]]}
    draw = ExpertDraw.objects.get()
    assert draw.excluded == {str(employed.pk): "employer", str(related.pk): "relation_relative",
                             str(punished.pk): "penalty", str(away.pk): "unavailable"}
    assert draw.drawn == rules.draw_order(seed=bytes.fromhex(draw.seed), specialty="goods", expert_ids=draw.eligible)[:5]
    event = AuditEntry.objects.get(kind="panel.drawn")
    assert event.subject == panel_subject(lot.pk) and event.data["seed"] == draw.seed
    # The lot's own (public) events name nobody on the panel.
    public = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind__startswith="evaluation.")
    assert all("drawn" not in entry.data and "seed" not in entry.data for entry in public)


def test_a_recused_or_declining_expert_is_replaced_by_a_new_draw_and_a_pool_too_small_changes_nothing(
        lot_in_evaluation, expert_pool):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    expert_pool(6)
    evaluation = comprehensive(lot)
    members = panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")

    with pytest.raises(BiddingError) as caught:
        member_answer(member_id=members[0].pk, user=members[1].user, no_conflict=True)
    assert caught.value.code == "not_your_seat"
    with pytest.raises(BiddingError) as caught:
        member_answer(member_id=members[0].pk, user=members[0].user, no_conflict=False)
    assert caught.value.code == "reason_required"
    member_answer(member_id=members[0].pk, user=members[0].user, no_conflict=False, reason="配偶在第1投标有限公司任职")
    replacement = PanelMember.objects.exclude(pk__in=[m.pk for m in members]).get()
    assert replacement.draw.replacing_id == members[0].pk
    assert replacement.expert_id not in {m.expert_id for m in members}

    # The pool is spent: the decline stands and its seat stays open until the pool allows a draw.
    member_decline(member_id=members[1].pk, reason="电话无人接听", actor="user:1")
    assert PanelMember.objects.get(pk=members[1].pk).status == PanelMember.Status.DECLINED
    assert AuditEntry.objects.filter(subject=panel_subject(lot.pk), kind="panel.seat_open").exists()
    seat_all(evaluation)
    assert evaluation.status == Evaluation.Status.FORMING
    with pytest.raises(BiddingError) as caught:
        panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 1}, actor="user:1")
    assert caught.value.code == "pool_too_small"
    expert_pool(1, prefix="late")
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 1}, actor="user:1")
    seat_all(evaluation)
    assert evaluation.status == Evaluation.Status.SCORING
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.EVALUATION


def test_sheets_are_complete_bounded_locked_and_changed_only_with_a_reason(lot_in_evaluation, expert_pool):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    expert_pool(5)
    evaluation = comprehensive(lot)
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")
    with pytest.raises(BiddingError) as caught:
        sheet_submit(evaluation_id=evaluation.pk, user=evaluation.members.first().user, entries={})
    assert caught.value.code == "not_on_panel"  # no sheet before the member declared
    seat_all(evaluation)
    member = evaluation.members.first()
    bids = list(bids_by_price(lot).values())
    good = {bid.pk: (30, 15) for bid in bids}
    for entries, code in [({}, "sheet_incomplete"),
                          (sheet(evaluation, {**good, bids[0].pk: (41, 15)}), "score_out_of_bounds"),
                          (sheet(evaluation, {**good, bids[0].pk: ("12.345", 15)}), "score_out_of_bounds"),
                          ({str(b.pk): {"compliant": False} for b in bids}, "reason_required")]:
        with pytest.raises(BiddingError) as caught:
            sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
        assert caught.value.code == code
    submitted = sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=sheet(evaluation, good))
    with pytest.raises(BiddingError) as caught:
        sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=sheet(evaluation, {**good, bids[0].pk: (35, 15)}))
    assert caught.value.code == "change_reason_required"
    submitted.refresh_from_db()
    assert submitted.entries[str(bids[0].pk)]["scores"]["tech"] == "30.00"
    sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=sheet(evaluation, {**good, bids[0].pk: (35, 15)}),
                 reason="漏看了第3章的实施方案")
    change = submitted.changes.get()
    assert (change.before[str(bids[0].pk)]["scores"]["tech"], change.after[str(bids[0].pk)]["scores"]["tech"]) == (
        "30.00", "35.00")
    with pytest.raises(BiddingError) as caught:
        evaluation_conclude(evaluation_id=evaluation.pk, actor="user:1")
    assert caught.value.code == "sheets_missing"


def test_a_suspended_lot_takes_no_sheet_until_it_resumes(lot_in_evaluation, expert_pool):
    from trading.services.lots import lot_resume, lot_suspend

    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    expert_pool(5)
    evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                   actor="user:1")
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")
    seat_all(evaluation)
    member = evaluation.members.first()
    entries = {str(bid.pk): {"compliant": True} for bid in Bid.objects.filter(lot=lot)}
    lot_suspend(lot_id=lot.pk, reason="行政监督部门责令暂停", actor="user:1")
    with pytest.raises(BiddingError) as caught:
        sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
    assert caught.value.code == "not_in_evaluation"
    lot_resume(lot_id=lot.pk, actor="user:1")
    assert sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries).submitted_at


def test_comprehensive_scoring_trims_outliers_with_seven_scores_prices_low_price_first_and_ranks(
        lot_in_evaluation, expert_pool):
    lot, _bidders = lot_in_evaluation(["800000.00", "1000000.00", "900000.00", "1200000.00"])
    expert_pool(7)
    evaluation = comprehensive(lot, size=7, trim_outliers=True)
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 7}, actor="user:1")
    seat_all(evaluation)
    by_price = bids_by_price(lot)
    low, high, mid, over = (by_price[Decimal(p)] for p in ("800000.00", "1000000.00", "900000.00", "1200000.00"))
    tech_for_low = [40, 10, 30, 30, 30, 30, 30]  # trimmed: 40 and 10 go, the rest average 30
    for n, member in enumerate(evaluation.members.order_by("pk")):
        scores = {low.pk: (tech_for_low[n], 10), high.pk: (36, 20), mid.pk: (32, 16), over.pk: (40, 20)}
        # One member alone finds ``mid`` non-compliant: the majority keeps it valid.
        sheet_submit(evaluation_id=evaluation.pk, user=member.user,
                     entries=sheet(evaluation, scores, noncompliant={mid.pk} if n == 0 else ()))
    evaluation = evaluation_conclude(evaluation_id=evaluation.pk, actor="user:1")

    assert evaluation.status == Evaluation.Status.REPORTED
    candidates = {c.bid_id: c for c in Candidate.objects.filter(evaluation=evaluation)}
    # Price: benchmark 800,000 (the lowest valid: 1,200,000 is over the 1,000,000 ceiling).
    assert candidates[low.pk].price_score == Decimal("40.00")
    assert candidates[mid.pk].price_score == Decimal("35.56")
    assert candidates[high.pk].price_score == Decimal("32.00")
    assert candidates[low.pk].technical == Decimal("40.00")  # 30 trimmed mean + 10
    # mid: 32 + 16 over the 6 members who found it compliant (the one who did not gave no scores).
    assert (candidates[high.pk].total, candidates[mid.pk].total, candidates[low.pk].total) == (
        Decimal("88.00"), Decimal("83.56"), Decimal("80.00"))
    assert [c.bid_id for c in Candidate.objects.filter(evaluation=evaluation).order_by("rank")] == [
        high.pk, mid.pk, low.pk]
    over.refresh_from_db(), mid.refresh_from_db()
    assert over.status == Bid.Status.REJECTED and mid.status == Bid.Status.VALID
    body = receipts.signed_verify(evaluation.report, "evaluation-report", signing.public_key())
    rejected = next(row for row in body["bids"] if row["receipt"] == str(over.receipt_id))
    assert rejected["valid"] is False and rejected["reasons"]
    assert body["candidates"] == [str(high.receipt_id), str(mid.receipt_id), str(low.receipt_id)]
    assert len(body["sheets"]) == 7


def test_lowest_price_ranks_by_price_then_by_the_earlier_receipt(lot_in_evaluation, evaluate):
    lot, _bidders = lot_in_evaluation(["900000.00", "900000.00", "950000.00", "970000.00"])
    evaluate(lot)
    bids = list(Bid.objects.filter(lot=lot).order_by("received_at"))
    assert [c.bid_id for c in Candidate.objects.order_by("rank")] == [bids[0].pk, bids[1].pk, bids[2].pk]


def test_with_fewer_valid_bids_than_the_minimum_the_lot_fails(lot_in_evaluation, evaluate):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "970000.00"])
    evaluate(lot, noncompliant=[Bid.objects.filter(lot=lot).order_by("received_at").first()])
    assert Lot.objects.get(pk=lot.pk).status == Lot.Status.FAILED
    assert not Candidate.objects.exists()
    assert AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="evaluation.reported", data__failed=True).exists()

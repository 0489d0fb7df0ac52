"""Separation of duties at the award review (DESIGN §7, 管办分离): a regulator who proposed the award or
prepared the lot does not review it; the refused attempt stays on the audit chain."""
import pytest
from rest_framework.test import APIClient

from bidding.errors import BiddingError
from bidding.evaluation.models import AwardProposal, Contract
from bidding.evaluation.selectors import award_duties
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
from bidding.evaluation.tests.test_awards import PRICES, publicity_over
from monitoring.events import actor_of
from monitoring.models import AuditEntry
from trading.accounts.services.roles import role_grant, role_revoke
from trading.models import Lot, User, UserRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(make_person):
    """A member of staff who moved to the regulator: the staff role revoked, then the regulator role
    granted (nobody holds both at once); the duties they took on as staff still bar them."""
    person = make_person("chief", ["staff"])
    role_revoke(user=person, role="staff", actor="system:test")
    role_grant(user=person, role="regulator", actor="system:test")
    return User.objects.get(pk=person.pk)


@pytest.fixture
def award_review_lot(lot_in_evaluation, evaluate):
    lot, _bidders = lot_in_evaluation(PRICES)
    evaluate(lot)
    return lot


def _to_review(lot, *, publisher: str, proposer: str) -> AwardProposal:
    candidates_publish(lot_id=lot.pk, actor=publisher)
    publicity_over(lot)
    return award_propose(lot_id=lot.pk, actor=proposer)


def _refused(lot, proposal, user) -> AuditEntry:
    with pytest.raises(BiddingError) as caught:
        award_review(proposal_id=proposal.pk, user=user, approve=True)
    assert (caught.value.code, caught.value.status) == ("review_by_proposer", 403)
    proposal.refresh_from_db()
    lot.refresh_from_db()
    assert (proposal.status, proposal.reviewed_by, lot.status) == (
        AwardProposal.Status.UNDER_REVIEW, "", Lot.Status.AWARD_REVIEW)
    assert not Contract.objects.exists()
    return AuditEntry.objects.get(kind="award.review_refused", subject=f"lot:{lot.pk}")


def test_the_proposer_cannot_review_the_award_another_regulator_approves_it(award_review_lot, chief, regulator):
    lot = award_review_lot
    proposal = _to_review(lot, publisher="user:1", proposer=actor_of(chief))
    event = _refused(lot, proposal, chief)
    assert event.actor == actor_of(chief)
    assert event.data == {"proposal": proposal.pk, "code": "review_by_proposer", "duties": ["proposed"]}

    approved = award_review(proposal_id=proposal.pk, user=regulator, approve=True)
    lot.refresh_from_db()
    assert (approved.status, approved.reviewed_by, lot.status) == (
        AwardProposal.Status.APPROVED, actor_of(regulator), Lot.Status.AWARDED)


def test_whoever_published_the_candidates_cannot_return_the_award_either(award_review_lot, chief):
    lot = award_review_lot
    proposal = _to_review(lot, publisher=actor_of(chief), proposer="user:1")
    with pytest.raises(BiddingError) as caught:
        award_review(proposal_id=proposal.pk, user=chief, approve=False, reasons="材料不全")
    assert caught.value.code == "review_by_proposer"
    event = AuditEntry.objects.get(kind="award.review_refused", subject=f"lot:{lot.pk}")
    assert event.data["duties"] == ["published_candidates"]


def test_whoever_set_up_and_concluded_the_evaluation_cannot_review(lot_in_evaluation, expert_pool, chief):
    from bidding.sealed.models import Bid
    from bidding.evaluation.services.evaluation import evaluation_conclude, evaluation_create, sheet_submit
    from bidding.evaluation.services.panel import member_answer, panel_draw

    lot, _bidders = lot_in_evaluation(PRICES)
    expert_pool(5, prefix="duties")
    evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                   actor=actor_of(chief))
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")
    entries = {str(bid.pk): {"compliant": True} for bid in Bid.objects.filter(lot=lot, status=Bid.Status.OPENED)}
    for member in evaluation.members.all():
        member_answer(member_id=member.pk, user=member.user, no_conflict=True)
    for member in evaluation.members.all():
        sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
    evaluation_conclude(evaluation_id=evaluation.pk, actor=actor_of(chief))
    proposal = _to_review(lot, publisher="user:1", proposer="user:1")
    assert _refused(lot, proposal, chief).data["duties"] == ["set_up_evaluation", "concluded_evaluation"]


def test_the_author_of_the_lot_has_a_duty_in_it(make_lot, chief, regulator):
    """Who created and who submitted the lot, from its audit event and its status change."""
    from trading.services.lots import lot_create, lot_submit

    draft = make_lot()
    lot = lot_create(project=draft.project, title="第二标段", estimate=draft.estimate, deposit=draft.deposit,
                     actor=actor_of(chief), documents_until=draft.documents_until, bid_deadline=draft.bid_deadline)
    assert award_duties(lot_id=lot.pk, actor=actor_of(chief)) == ["created_lot"]
    lot_submit(lot_id=lot.pk, actor=actor_of(chief))
    assert award_duties(lot_id=lot.pk, actor=actor_of(chief)) == ["created_lot", "submitted_lot"]
    assert award_duties(lot_id=lot.pk, actor=actor_of(regulator)) == []


def test_the_api_refuses_the_proposer_with_the_code(award_review_lot, chief):
    lot = award_review_lot
    proposal = _to_review(lot, publisher="user:1", proposer=actor_of(chief))
    api = APIClient()
    api.force_authenticate(chief)
    response = api.post(f"/api/v1/award-proposals/{proposal.pk}/review/", {"approve": True}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "review_by_proposer"
    assert AuditEntry.objects.filter(kind="award.review_refused", actor=actor_of(chief)).count() == 1


def test_an_account_holding_both_roles_from_before_is_refused_at_the_review(award_review_lot, staff, regulator):
    """The role service never grants staff and regulator together; a pair left from older data is
    refused where the power is used, with its own code and event."""
    lot = award_review_lot
    proposal = _to_review(lot, publisher="user:1", proposer="user:1")
    UserRole.objects.create(user=staff, role="regulator")
    staff = User.objects.get(pk=staff.pk)
    with pytest.raises(BiddingError) as caught:
        award_review(proposal_id=proposal.pk, user=staff, approve=True)
    assert (caught.value.code, caught.value.status) == ("staff_regulator", 403)
    assert AuditEntry.objects.get(kind="award.review_refused", actor=actor_of(staff)).data["code"] == "staff_regulator"
    proposal.refresh_from_db()
    assert proposal.status == AwardProposal.Status.UNDER_REVIEW

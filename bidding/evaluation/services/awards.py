"""From the evaluation report to the contract: the candidates' publicity with its objections, the
award proposal and the regulator's review, the award and result notices, the contract record with
its time limit, and the fall-back when the winner does not sign (实施条例 Art 55).

Lock order, as everywhere on a lot: the lot (``lot_lock``), then the proposal, objection or contract."""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bidding.crypto import receipts
from bidding.crypto.canonical import time_format
from bidding.errors import BiddingError
from bidding.evaluation.models import AwardProposal, Candidate, CandidateObjection, Contract, Evaluation, Notice
from bidding.evaluation.selectors import award_duties
from bidding.evaluation.services.evaluation import BIDDER_STATUSES
from bidding.sales.services.ladder import money
from bidding.sealed.models import Bid
from monitoring.events import WITHHELD_ACTOR, actor_of, record
from trading import clock, signing
from trading.models import Lot, Role, RuleCode, User
from trading.numerals import amount_in_capitals
from trading.selectors_calendar import lot_published_at, rule_get
from trading.services.deposits import deposits_release_for_lot
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.moves import lot_lock, lot_move
from trading.services.notifications import notify
from trading.services_calendar import deadline_compute
from trading.text import TEXT_MAX, text_clean

NOTICE_KINDS = {Notice.Kind.AWARD: "award-notice", Notice.Kind.RESULT: "result-notice"}
HOLD_REASON = "candidates_objection"


def _rule(lot: Lot, code: str):
    return rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                    at=lot_published_at(lot=lot))


def candidate_public(candidate: Candidate) -> dict:
    return {"rank": candidate.rank, "bidder": candidate.organisation.name, "bidder_uscc": candidate.organisation.uscc,
            "price": str(candidate.price), "total": str(candidate.total) if candidate.total is not None else None}


def candidates_publish(*, lot_id: int, actor: str) -> Lot:
    """Publish the report's candidates for at least the rule's days (实施条例 Art 54); the lot's
    sweep ends the publicity and moves the lot to the award review. Published later than the rule
    allows after the report, it is still published, and the event says it was late."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        evaluation = Evaluation.objects.filter(lot=lot).first()
        if lot.status != Lot.Status.EVALUATION or evaluation is None \
                or evaluation.status != Evaluation.Status.REPORTED:
            raise BiddingError("no_report", _("Candidates are published once the evaluation report is signed."),
                               status=409)
        candidates = list(evaluation.candidates.select_related("organisation"))
        now = clock.now()
        length = _rule(lot, RuleCode.CANDIDATES_PUBLICITY_LENGTH)
        start = _rule(lot, RuleCode.CANDIDATES_PUBLICITY_START)
        lot.publicity_end = deadline_compute(start=now, amount=length.amount, unit=length.unit).at
        late = now >= deadline_compute(start=evaluation.reported_at, amount=start.amount, unit=start.unit).at
        lot_move(lot, "publicise_candidates", actor=actor,
                  data={"candidates": [candidate_public(c) for c in candidates],
                        "publicity_end": lot.publicity_end.isoformat(), "late": late})
    return lot


def _bidder_of_lot(lot: Lot, user: User) -> bool:
    return bool(user.organisation_id) and Bid.objects.filter(lot=lot, organisation_id=user.organisation_id,
                                                             status__in=BIDDER_STATUSES).exists()


def candidate_objection_file(*, lot_id: int, user: User, text: str) -> CandidateObjection:
    """A bidder of the lot objects to the candidates during the publicity; the lot is suspended
    until the objection is answered (实施条例 Art 54: 作出答复前，应当暂停招标投标活动)."""
    text = text_clean(text, code="objection_text", message=_("Write your objection."), error=BiddingError)
    now = clock.now()
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if not user.has_role(Role.BIDDER) or not _bidder_of_lot(lot, user):
            raise BiddingError("not_a_bidder_here", _("Only the lot's bidders object to its candidates."), status=403)
        held = lot.status == Lot.Status.SUSPENDED and CandidateObjection.objects.filter(
            lot=lot, replied_at__isnull=True).exists()
        if not (lot.status == Lot.Status.PUBLICITY or held) or lot.publicity_end is None or now >= lot.publicity_end:
            raise BiddingError("publicity_closed", _("Objections to the candidates are taken during their publicity."),
                               status=409)
        rule = _rule(lot, RuleCode.CANDIDATES_OBJECTION_REPLY)
        due = deadline_compute(start=now, amount=rule.amount, unit=rule.unit)
        objection = CandidateObjection.objects.create(lot=lot, organisation_id=user.organisation_id, filed_by=user,
                                                      text=text, filed_at=now, reply_due_at=due.at)
        subject = f"candidate-objection:{objection.pk}"
        record(kind="candidates.objection_filed", actor=WITHHELD_ACTOR, subject=subject,
               data={"by": actor_of(user), "lot": lot.pk, "organisation": user.organisation_id,
                     "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "reply_due_at": due.at.isoformat()})
        lot_hold(lot=lot, reason=HOLD_REASON, subject=subject, actor="system:objections")
    return objection


def candidate_objection_reply(*, objection_id: int, reply: str, actor: str) -> CandidateObjection:
    """Staff answer an objection (late answers are taken and marked late); the last answer resumes
    the lot unless something else still holds it."""
    reply = text_clean(reply, code="reply", message=_("Write the reply."), error=BiddingError)
    lot_id = CandidateObjection.objects.filter(pk=objection_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise BiddingError("objection_not_found", _("There is no such objection."), status=404)
    with transaction.atomic():
        lot = lot_lock(lot_id)
        objection = CandidateObjection.objects.select_for_update().get(pk=objection_id)
        if objection.replied_at is not None:
            raise BiddingError("objection_answered", _("This objection has been answered."), status=409)
        objection.reply, objection.replied_at, objection.replied_by = reply, clock.now(), actor
        objection.save()
        subject = f"candidate-objection:{objection.pk}"
        record(kind="candidates.objection_replied", actor=actor, subject=subject,
               data={"lot": lot.pk, "reply_sha256": hashlib.sha256(reply.encode()).hexdigest(),
                     "late": objection.replied_late})
        lot_hold_release(lot=lot, subject=subject, actor="system:objections")
    return objection


def _proposal_lock(proposal_id: int) -> tuple[Lot, AwardProposal]:
    lot_id = AwardProposal.objects.filter(pk=proposal_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise BiddingError("proposal_not_found", _("There is no such award proposal."), status=404)
    lot = lot_lock(lot_id)
    return lot, AwardProposal.objects.select_for_update().select_related("candidate__organisation").get(pk=proposal_id)


def candidates_remaining(lot: Lot) -> list[Candidate]:
    """The candidates still in line, best first: not one whose award was withdrawn."""
    withdrawn = AwardProposal.objects.filter(lot=lot, status=AwardProposal.Status.WITHDRAWN).values("candidate_id")
    return list(Candidate.objects.filter(evaluation__lot=lot).exclude(pk__in=withdrawn)
                .select_related("organisation").order_by("rank"))


def award_propose(*, lot_id: int, actor: str, note: str = "") -> AwardProposal:
    """Propose the best candidate still in line and send the proposal to the regulator's queue."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.AWARD_REVIEW:
            raise BiddingError("not_award_review", _("An award is proposed after the candidates' publicity."),
                               status=409)
        if AwardProposal.objects.filter(lot=lot, status__in=[AwardProposal.Status.PROPOSED,
                                                             AwardProposal.Status.UNDER_REVIEW]).exists():
            raise BiddingError("proposal_open", _("An award proposal is already under review."), status=409)
        remaining = candidates_remaining(lot)
        if not remaining:
            raise BiddingError("no_candidate_left", _("No candidate is left: the lot is to be tendered again."),
                               status=409)
        candidate = remaining[0]
        now = clock.now()
        proposal = AwardProposal.objects.create(lot=lot, candidate=candidate, note=(note or "").strip()[:TEXT_MAX],
                                                proposed_at=now, proposed_by=actor)
        record(kind="award.proposed", actor=actor, subject=f"lot:{lot.pk}",
               data={"proposal": proposal.pk, "candidate": candidate_public(candidate)})
        proposal.submit()
        proposal.save()
        record(kind="award.submitted", actor=actor, subject=f"lot:{lot.pk}", data={"proposal": proposal.pk})
    return proposal


def award_review(*, proposal_id: int, user: User, approve: bool, reasons: str = "") -> AwardProposal:
    """The regulator's decision. Approved: the award notice to the winner and a result notice to
    every other bidder, the lot awarded, the contract due within the rule's days. Returned: with
    reasons; staff may propose again.

    Separation of duties (DESIGN §7): a regulator who took a part in preparing the award
    (``selectors.award_duties``: created or submitted the lot, set up or concluded its evaluation,
    published the candidates, proposed an award on it) is refused with ``review_by_proposer``, and
    the attempt is recorded (``award.review_refused``, with the duties) in a transaction of its own
    that commits before the refusal is raised, so the refusal leaves its trace and changes nothing
    else. The duties are all past once a proposal is under review (no other can be made meanwhile),
    so they are read before the lot's lock."""
    if not user.has_role(Role.REGULATOR):
        raise BiddingError("not_a_regulator", _("Only a regulator reviews awards."), status=403)
    actor = actor_of(user)
    lot_id = AwardProposal.objects.filter(pk=proposal_id).values_list("lot_id", flat=True).first()
    if user.has_role(Role.STAFF) and lot_id is not None:
        # Never granted together (trading.accounts.services.roles); checked again where the power is used.
        with transaction.atomic():
            record(kind="award.review_refused", actor=actor, subject=f"lot:{lot_id}",
                   data={"proposal": proposal_id, "code": "staff_regulator"})
        raise BiddingError("staff_regulator", _("The centre's staff never review awards (管办分离): a regulator who "
                                                "is not on the centre's staff does."), status=403)
    duties = award_duties(lot_id=lot_id, actor=actor) if lot_id is not None else []
    if duties:
        with transaction.atomic():
            record(kind="award.review_refused", actor=actor, subject=f"lot:{lot_id}",
                   data={"proposal": proposal_id, "code": "review_by_proposer", "duties": duties})
        raise BiddingError("review_by_proposer", _("You took part in preparing this award (you proposed it, or "
                                                   "prepared the lot or its evaluation): another regulator "
                                                   "reviews it."), status=403)
    if not approve:
        reasons = text_clean(reasons, code="reasons", message=_("Say why the proposal is returned."),
                             error=BiddingError)
    with transaction.atomic():
        lot, proposal = _proposal_lock(proposal_id)
        if proposal.status != AwardProposal.Status.UNDER_REVIEW:
            raise BiddingError("not_under_review", _("This proposal is not under review."), status=409)
        if lot.status != Lot.Status.AWARD_REVIEW:
            raise BiddingError("not_award_review", _("The lot is not at the award review (it is “%(status)s”).")
                               % {"status": lot.get_status_display()}, status=409)
        now = clock.now()
        proposal.reviewed_at, proposal.reviewed_by, proposal.review_reasons = now, actor, (reasons or "").strip()
        if not approve:
            proposal.return_()
            proposal.save()
            record(kind="award.returned", actor=actor, subject=f"lot:{lot.pk}",
                   data={"proposal": proposal.pk, "reasons": proposal.review_reasons})
            return proposal
        proposal.approve()
        proposal.save()
        rule = _rule(lot, RuleCode.CONTRACT_SIGNING)
        contract = Contract.objects.create(
            proposal=proposal, due_at=deadline_compute(start=now, amount=rule.amount, unit=rule.unit).at)
        notices = _notices_issue(lot, proposal, contract, now)
        _result_told(lot, notices)
        lot_move(lot, "award", actor=actor, data={"proposal": proposal.pk})
        winner = proposal.candidate
        record(kind="award.approved", actor=actor, subject=f"lot:{lot.pk}",
               data={"proposal": proposal.pk, "winner": winner.organisation.name,
                     "winner_uscc": winner.organisation.uscc, "price": str(winner.price),
                     "price_in_capitals": amount_in_capitals(winner.price), "contract_due_at": contract.due_at.isoformat(),
                     "notices": len(notices)})
    return proposal


def _result_told(lot: Lot, notices: list[Notice]) -> None:
    """Each bidding company's people who registered it hear of the result, with their notice."""
    registered = {registration.organisation_id: registration.registered_by
                  for registration in lot.registrations.select_related("registered_by")}
    for notice in notices:
        person = registered.get(notice.organisation_id)
        if person is None:
            continue
        title = (_("You won %(lot)s: the award notice is issued") if notice.kind == Notice.Kind.AWARD
                 else _("The result of %(lot)s is published"))
        notify(user=person, kind=f"award.{notice.kind}_notice", title=title,
               body=_("Download the signed notice from the lot's result page."),
               params={"lot": lot.code}, link=reverse("notice-pdf", args=[notice.pk]))


def _notices_issue(lot: Lot, proposal: AwardProposal, contract: Contract, now) -> list[Notice]:
    winner = proposal.candidate
    common = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code, "lot_title": lot.title,
              "market": lot.project.market_id, "procedure": lot.project.procedure.code,
              "tenderee": lot.project.tenderee.name,
              "winner": winner.organisation.name, "winner_uscc": winner.organisation.uscc,
              "price": str(winner.price), "currency": lot.currency, "price_in_capitals": amount_in_capitals(winner.price),
              "issued_at": time_format(now)}
    bids = (Bid.objects.filter(lot=lot, status__in=BIDDER_STATUSES).select_related("organisation")
            .order_by("received_at", "pk"))
    notices = [Notice(proposal=proposal, organisation=winner.organisation, kind=Notice.Kind.AWARD, issued_at=now,
                      document=receipts.signed_document(NOTICE_KINDS[Notice.Kind.AWARD], {
                          **common, "to": winner.organisation.name, "to_uscc": winner.organisation.uscc,
                          "rank": winner.rank, "contract_due_at": time_format(contract.due_at)}, signing.private_key()))]
    told = {winner.organisation_id}
    for bid in bids:
        if bid.organisation_id in told:
            continue
        told.add(bid.organisation_id)
        notices.append(Notice(proposal=proposal, organisation=bid.organisation, kind=Notice.Kind.RESULT, issued_at=now,
                              document=receipts.signed_document(NOTICE_KINDS[Notice.Kind.RESULT], {
                                  **common, "to": bid.organisation.name, "to_uscc": bid.organisation.uscc,
                                  "bid_status": bid.status}, signing.private_key())))
    return Notice.objects.bulk_create(notices)


WITHDRAW_REASONS = {"declined": _("The winner declined the award."),
                    "not_signed": _("The winner did not sign the contract in time."),
                    "disqualified": _("The winner was disqualified.")}


def award_withdraw(*, lot_id: int, reason: str, retender: bool, actor: str, detail: str = "") -> Lot:
    """The winner declined, failed to sign or was disqualified (实施条例 Art 55): the award is withdrawn;
    the next candidate in rank order may be proposed, or the lot is tendered again (it fails, and
    every deposit falls due for refund; keeping a defaulting winner's deposit is a decision outside
    the platform)."""
    if reason not in WITHDRAW_REASONS:
        raise BiddingError("bad_reason", _("Say whether the winner declined, did not sign or was disqualified."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        proposal = AwardProposal.objects.select_for_update().filter(lot=lot, status=AwardProposal.Status.APPROVED).first()
        if lot.status != Lot.Status.AWARDED or proposal is None:
            raise BiddingError("not_awarded", _("Only an award not yet under contract is withdrawn."), status=409)
        proposal.withdraw()
        proposal.save()
        data = {"proposal": proposal.pk, "reason": reason, "detail": (detail or "").strip()[:TEXT_MAX]}
        lot_move(lot, "reopen_award", actor=actor, data=data)
        if retender or not candidates_remaining(lot):
            # The move releases every deposit (``trading.services.moves.lot_move``).
            lot_move(lot, "fail", actor=actor, data={"reason": "retender"})
    return lot


def contract_record(*, lot_id: int, signed_on, amount, reference: str, actor: str) -> Contract:
    """Staff record the signed contract: the lot is contracted and every deposit falls due for
    refund (within the rule's days, 实施条例 Art 57). Recorded after the due day it is still taken,
    and the event says it was late."""
    amount = money(amount, _("Contract amount"))
    reference = (reference or "").strip()
    if not reference:
        raise BiddingError("reference_required", _("Give the contract's number."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        contract = (Contract.objects.select_for_update(of=("self",)).select_related("proposal")
                    .filter(proposal__lot=lot, proposal__status=AwardProposal.Status.APPROVED).first())
        if lot.status != Lot.Status.AWARDED or contract is None:
            raise BiddingError("not_awarded", _("A contract is recorded for an awarded lot."), status=409)
        now = clock.now()
        if signed_on is None or signed_on > timezone.localdate(now):
            raise BiddingError("bad_signed_on", _("Give the day the contract was signed, not in the future."))
        contract.signed_on, contract.amount, contract.reference = signed_on, amount, reference[:100]
        contract.recorded_at, contract.recorded_by = now, actor
        contract.save()
        lot_move(lot, "record_contract", actor=actor,
                  data={"amount": str(amount), "signed_on": signed_on.isoformat(), "late": now >= contract.due_at})
        released = deposits_release_for_lot(lot_id=lot.pk, keep_organisation_ids=[], actor=actor, at=now)
        record(kind="award.contract_recorded", actor=actor, subject=f"lot:{lot.pk}",
               data={"reference": contract.reference, "deposits_released": len(released)})
    return contract


def contract_due_sweep() -> dict:
    """Warn (yellow) when a contract's limit is ``PLATFORM_CONTRACT_WARN_DAYS`` away, and (red) once
    it has passed, each once per contract; staff and regulators see both on the lot."""
    now = clock.now()
    warned = overdue = 0
    soon = now + timedelta(days=settings.PLATFORM_CONTRACT_WARN_DAYS)
    pending = Contract.objects.filter(recorded_at__isnull=True, proposal__status=AwardProposal.Status.APPROVED)
    for field, horizon, kind in (("warned_at", soon, "award.contract_due_soon"),
                                 ("overdue_at", now, "award.contract_overdue")):
        for contract_id in pending.filter(**{f"{field}__isnull": True, "due_at__lte": horizon}).values_list("pk", flat=True):
            with transaction.atomic():
                contract = (Contract.objects.select_for_update(skip_locked=True, of=("self",)).select_related("proposal")
                            .filter(pk=contract_id, recorded_at__isnull=True, **{f"{field}__isnull": True}).first())
                if contract is None:
                    continue
                setattr(contract, field, now)
                contract.save(update_fields=[field])
                record(kind=kind, actor="system:clock", subject=f"lot:{contract.proposal.lot_id}",
                       data={"contract": contract.pk, "due_at": contract.due_at.isoformat()})
                if field == "warned_at":
                    warned += 1
                else:
                    overdue += 1
    return {"warned": warned, "overdue": overdue}

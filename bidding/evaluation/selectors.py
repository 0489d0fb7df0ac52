"""Reads of evaluation and award: panels and seats, sheets, the review queue, notices, the public
result, who prepared an award, and the objections awaiting staff's answer."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from bidding.evaluation.models import AwardProposal, CandidateObjection, Evaluation, Notice, PanelMember, ScoreSheet
from bidding.sealed.models import OpeningResponse
from monitoring.events import actors_of
from trading import clock
from trading.models import Lot, LotStatusChange, Role
from trading.selectors_objections import objection_list_open


def evaluation_of_lot(*, lot_id: int) -> Evaluation | None:
    """With its members, their draws and sheets, for the pages and the API that list them all."""
    members = PanelMember.objects.select_related("user", "draw__specialty", "sheet").order_by("pk")
    return (Evaluation.objects.filter(lot_id=lot_id).select_related("lot__project__market")
            .prefetch_related(Prefetch("members", queryset=members)).first())


def member_seats(*, user) -> QuerySet[PanelMember]:
    """A person's seats on panels, newest first (their own page lists them)."""
    return (PanelMember.objects.filter(user=user).select_related("evaluation__lot__project")
            .order_by("-evaluation__created_at", "-pk"))


def seat_of(*, evaluation: Evaluation, user) -> PanelMember | None:
    return evaluation.members.filter(user=user).first() if user.is_authenticated else None


def evaluation_readable_by(*, evaluation: Evaluation, user) -> bool:
    """Staff, regulators and the panel's members see who sits on it and how far it is."""
    return user.is_authenticated and (user.has_role(Role.STAFF) or user.has_role(Role.REGULATOR)
                                      or evaluation.members.filter(user=user).exists())


def sheet_of(*, evaluation: Evaluation, user) -> ScoreSheet | None:
    """A member's own sheet. Nobody reads another's before the report, where all of them are signed."""
    return ScoreSheet.objects.filter(member__evaluation=evaluation, member__user=user).first()


def proposals_under_review() -> QuerySet[AwardProposal]:
    """The regulator's queue, oldest first."""
    return (AwardProposal.objects.filter(status=AwardProposal.Status.UNDER_REVIEW)
            .select_related("lot__project__market", "candidate__organisation").order_by("proposed_at", "pk"))


def notices_of(*, lot_id: int, organisation_id: int | None) -> QuerySet[Notice]:
    return Notice.objects.filter(proposal__lot_id=lot_id, organisation_id=organisation_id).order_by("-issued_at")


def lot_result_public(*, lot: Lot) -> dict | None:
    """What the public may know of a tender lot's result: the candidates from their publicity on,
    the winner once the award is approved, and then the panel's names (hidden from bidders until the
    result). None before the candidates are published (``Lot.result_public``, or an award once
    proposed) and for sales, whose result is their deal (``deal_of_lot``). A lot that has moved on
    without a reported evaluation shows what it has."""
    proposed = AwardProposal.objects.filter(lot=lot)
    if lot.market.sells or not (lot.result_public or proposed.exists()):
        return None
    result = {"method": "", "reported_at": None, "publicity_end": lot.publicity_end, "candidates": [],
              "award": None, "panel": []}
    evaluation = Evaluation.objects.filter(lot=lot, status=Evaluation.Status.REPORTED).first()
    result["award"] = (proposed.filter(status=AwardProposal.Status.APPROVED)
                       .select_related("candidate__organisation", "contract").first())
    if evaluation is not None:
        result.update(method=evaluation.method, reported_at=evaluation.reported_at,
                      candidates=list(evaluation.candidates.select_related("organisation").order_by("rank")))
        if result["award"] is not None:
            result["panel"] = [str(member.user) for member in
                               evaluation.members.filter(status=PanelMember.Status.SEATED).select_related("user")]
    return result


def award_duties(*, lot_id: int, actor: str) -> list[str]:
    """The parts ``actor`` took in preparing a lot's award, in the order of the procedure; a reviewer
    of the award must have none (DESIGN §7, 管办分离).

    "Prepared the lot" is read from what the platform keeps of who did what, nothing inferred:
    ``created_lot`` (the ``lot.created`` event: no row keeps the author), ``submitted_lot`` (a
    ``submit_for_review`` status change), ``set_up_evaluation`` (``Evaluation.created_by``),
    ``concluded_evaluation`` (the ``evaluation.reported`` event, which signed the report),
    ``published_candidates`` (the ``publicise_candidates`` status change) and ``proposed`` (any award
    proposal on the lot, a returned or withdrawn one too). Publishing the lot, drawing the panel and
    answering objections are checks or routine steps of the centre, not authorship of the result, and
    do not count; neither do timed moves (``system`` actors).
    """
    subject = f"lot:{lot_id}"
    moves = set(LotStatusChange.objects.filter(lot_id=lot_id, actor=actor).values_list("transition", flat=True))
    duties = [
        ("created_lot", actor in actors_of(subject=subject, kinds=["lot.created"])),
        ("submitted_lot", "submit_for_review" in moves),
        ("set_up_evaluation", Evaluation.objects.filter(lot_id=lot_id, created_by=actor).exists()),
        ("concluded_evaluation", actor in actors_of(subject=subject, kinds=["evaluation.reported"])),
        ("published_candidates", "publicise_candidates" in moves),
        ("proposed", AwardProposal.objects.filter(lot_id=lot_id, proposed_by=actor).exists()),
    ]
    return [duty for duty, taken in duties if taken]


OPENING, CANDIDATES, DOCUMENTS = "opening", "candidates", "documents"
KINDS = {
    OPENING: _("Objection to the opening record"),
    CANDIDATES: _("Objection to the candidates"),
    DOCUMENTS: _("Objection to the tender documents"),
}


@dataclass(frozen=True)
class OpenObjection:
    kind: str  # a key of KINDS
    id: int  # of its own model: OpeningResponse, CandidateObjection or DocumentObjection
    lot_id: int
    organisation: str
    organisation_uscc: str
    text: str
    filed_at: datetime
    reply_due_at: datetime | None  # None at the opening: answered in the session (实施条例 Art 44)
    overdue: bool

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def objections_open(*, lot: Lot, at: datetime | None = None) -> list[OpenObjection]:
    """Every unanswered objection to ``lot``, oldest first, with who filed it (three queries)."""
    now = at or clock.now()
    found = [OpenObjection(kind=OPENING, id=r.pk, lot_id=lot.pk, organisation=r.organisation.name,
                           organisation_uscc=r.organisation.uscc, text=r.text, filed_at=r.at, reply_due_at=None,
                           overdue=False)
             for r in OpeningResponse.objects.filter(session__lot=lot, kind=OpeningResponse.Kind.OBJECTION,
                                                     answered_at__isnull=True).select_related("organisation")]
    for kind, objections in ((CANDIDATES, CandidateObjection.objects.filter(lot=lot, replied_at__isnull=True)
                              .select_related("organisation")),
                             (DOCUMENTS, objection_list_open(lot=lot))):
        found += [OpenObjection(kind=kind, id=o.pk, lot_id=lot.pk, organisation=o.organisation.name,
                                organisation_uscc=o.organisation.uscc, text=o.text, filed_at=o.filed_at,
                                reply_due_at=o.reply_due_at, overdue=o.reply_due_at <= now)
                  for o in objections]
    return sorted(found, key=lambda objection: (objection.filed_at, objection.kind, objection.id))


def notices_of_organisation(*, organisation_id: int | None) -> QuerySet[Notice]:
    """The award and result notices an organisation received on every lot, with the lot, the newest first."""
    if organisation_id is None:
        return Notice.objects.none()
    return (Notice.objects.filter(organisation_id=organisation_id).select_related("proposal__lot__project")
            .order_by("-issued_at", "-pk"))


def candidate_objections_own(*, organisation_id: int | None) -> QuerySet[CandidateObjection]:
    """An organisation's objections to published candidates, with the lot and any reply, the newest first."""
    if organisation_id is None:
        return CandidateObjection.objects.none()
    return (CandidateObjection.objects.filter(organisation_id=organisation_id).select_related("lot__project")
            .order_by("-filed_at", "-pk"))

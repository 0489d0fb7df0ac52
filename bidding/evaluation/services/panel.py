"""The panel of an evaluation: the expert pool, the random draw that leaves out everyone with a
recusal ground (the seed recorded so anyone can redo it), replacements, the tenderee's
representatives, and each member's declaration before seeing a bid; scoring starts once every seat
is taken. The panel's events go under ``panel:<lot id>`` (``evaluation.panel_subject``).

Lock order, as everywhere on a lot: the lot, then the evaluation (``evaluation_lock``), then members."""
import secrets
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError
from bidding.evaluation import rules
from bidding.evaluation.models import (
    Evaluation,
    Expert,
    ExpertDraw,
    PanelMember,
    ScoreSheet,
    Specialty,
)
from bidding.evaluation.services.evaluation import BIDDER_STATUSES, evaluation_lock, panel_subject, REASON_MAX
from bidding.sealed.models import Bid
from monitoring.events import actor_of, record
from trading import clock
from trading.models import Lot, Role, User
from trading.workdays import local_day


def expert_seats_open(evaluation: Evaluation) -> int:
    """Expert seats no drawn or seated expert holds: a recusal without a replacement leaves one."""
    taken = evaluation.members.filter(kind=PanelMember.Kind.EXPERT,
                                      status__in=[PanelMember.Status.DRAWN, PanelMember.Status.SEATED]).count()
    return evaluation.experts_needed - taken


def expert_register(*, user: User, specialties: list[str], employer_name: str, employer=None) -> Expert:
    """Put a person with the expert role into the pool (staff keep the pool in the admin too)."""
    if not user.has_role(Role.EXPERT):
        raise BiddingError("not_an_expert", _("Only a person with the expert role joins the pool."))
    known = list(Specialty.objects.filter(code__in=specialties))
    if not specialties or len(known) != len(set(specialties)):
        raise BiddingError("bad_specialty", _("Name one or more known specialties."))
    with transaction.atomic():
        expert = Expert.objects.create(user=user, employer=employer, employer_name=employer_name)
        expert.specialties.set(known)
    return expert


def lot_parties(lot: Lot) -> set[int]:
    """The tenderee and every organisation that bid: anyone tied to one of them must stand aside."""
    bidders = Bid.objects.filter(lot=lot, status__in=BIDDER_STATUSES).values_list("organisation_id", flat=True)
    return {lot.project.tenderee_id, *bidders}


def recusal_ground(expert: Expert, *, parties: set[int], today: date) -> str:
    """Why ``expert`` may not sit on this lot's panel ('' when nothing stands in the way)."""
    if not expert.available or (expert.unavailable_until and expert.unavailable_until >= today):
        return "unavailable"
    if not expert.user.is_active:
        return "inactive"
    if expert.employer_id in parties:
        return "employer"
    for relation in expert.relations.all():
        if relation.organisation_id in parties:
            return f"relation_{relation.kind}"
    for penalty in expert.penalties.all():
        if penalty.starts_on <= today and (penalty.ends_on is None or penalty.ends_on >= today):
            return "penalty"
    return ""


def _draw(evaluation: Evaluation, lot: Lot, *, specialty: Specialty, count: int, actor: str,
          replacing: PanelMember | None = None) -> list[PanelMember]:
    """Draw ``count`` experts of ``specialty`` into the panel. Caller holds the lot's and the
    evaluation's locks. Refuses (nothing drawn) when the pool has too few without a recusal ground."""
    parties, today = lot_parties(lot), local_day(clock.now())
    already = set(evaluation.members.filter(expert__isnull=False).values_list("expert_id", flat=True))
    eligible, excluded = [], {}
    pool = (Expert.objects.filter(specialties=specialty).select_related("user")
            .prefetch_related("relations", "penalties").order_by("pk"))
    for expert in pool:
        ground = "already_drawn" if expert.pk in already else recusal_ground(expert, parties=parties, today=today)
        if ground:
            excluded[str(expert.pk)] = ground
        else:
            eligible.append(expert.pk)
    if len(eligible) < count:
        raise BiddingError("pool_too_small", _("Only %(n)s experts of %(specialty)s can be drawn for this lot; "
                                               "%(count)s are needed.")
                           % {"n": len(eligible), "specialty": specialty.name, "count": count}, status=409)
    seed = secrets.token_bytes(32)
    drawn = rules.draw_order(seed=seed, specialty=specialty.code, expert_ids=eligible)[:count]
    now = clock.now()
    draw = ExpertDraw.objects.create(evaluation=evaluation, specialty=specialty, count=count, seed=seed.hex(),
                                     eligible=eligible, excluded=excluded, drawn=drawn, replacing=replacing, at=now,
                                     by=actor)
    experts = Expert.objects.in_bulk(drawn)
    members = [PanelMember.objects.create(evaluation=evaluation, user_id=experts[pk].user_id, kind=PanelMember.Kind.EXPERT,
                                          expert=experts[pk], draw=draw) for pk in drawn]
    record(kind="panel.drawn", actor=actor, subject=panel_subject(lot.pk),
           data={"draw": draw.pk, "specialty": specialty.code, "count": count, "seed": draw.seed,
                 "eligible": eligible, "excluded": excluded, "drawn": drawn,
                 "replacing": replacing.pk if replacing else None})
    return members


def panel_draw(*, evaluation_id: int, specialties: dict[str, int], actor: str) -> list[PanelMember]:
    """Draw the panel's experts, so many of each specialty (together the seats left for experts)."""
    with transaction.atomic():
        lot, evaluation = evaluation_lock(evaluation_id)
        if evaluation.status != Evaluation.Status.FORMING:
            raise BiddingError("panel_formed", _("The panel is formed already."), status=409)
        seats = expert_seats_open(evaluation)
        try:
            wanted = {Specialty.objects.get(pk=code): int(n) for code, n in specialties.items() if int(n) > 0}
        except (Specialty.DoesNotExist, ValueError, TypeError):
            raise BiddingError("bad_specialty", _("Name known specialties with whole numbers of experts.")) from None
        if not wanted or sum(wanted.values()) != seats:
            raise BiddingError("draw_count", _("Draw exactly the %(n)s expert seats still open.") % {"n": seats})
        members = []
        for specialty, count in wanted.items():
            members += _draw(evaluation, lot, specialty=specialty, count=count, actor=actor)
        record(kind="evaluation.panel_drawn", actor=actor, subject=f"lot:{lot.pk}", data={"experts": len(members)})
    return members


def panel_representative_add(*, evaluation_id: int, user: User, actor: str) -> PanelMember:
    """Seat a representative of the tenderee (at most the evaluation's number); they declare as
    experts do."""
    with transaction.atomic():
        lot, evaluation = evaluation_lock(evaluation_id)
        if evaluation.status != Evaluation.Status.FORMING:
            raise BiddingError("panel_formed", _("The panel is formed already."), status=409)
        if user.organisation_id != lot.project.tenderee_id:
            raise BiddingError("not_of_tenderee", _("A representative works for the tenderee."))
        seats = evaluation.members.filter(kind=PanelMember.Kind.REPRESENTATIVE,
                                          status__in=[PanelMember.Status.DRAWN, PanelMember.Status.SEATED])
        if seats.count() >= evaluation.representatives:
            raise BiddingError("representatives_full", _("The representatives' seats are taken."), status=409)
        if evaluation.members.filter(user=user).exists():
            raise BiddingError("already_on_panel", _("This person is on the panel already."), status=409)
        member = PanelMember.objects.create(evaluation=evaluation, user=user, kind=PanelMember.Kind.REPRESENTATIVE)
        record(kind="panel.representative_added", actor=actor, subject=panel_subject(lot.pk),
               data={"member": member.pk, "user": user.pk})
    return member


def member_answer(*, member_id: int, user: User, no_conflict: bool, reason: str = "") -> PanelMember:
    """A drawn member's declaration, before they see any bid: no conflict (seated), or a conflict
    with its reason (recused; an expert's replacement is drawn the same way at once, or, when the
    pool has nobody left to draw, the seat stays open for staff to draw later)."""
    reason = (reason or "").strip()[:REASON_MAX]
    if not no_conflict and not reason:
        raise BiddingError("reason_required", _("Say what the conflict is."))
    return _member_settle(member_id=member_id, user=user, seat=no_conflict, reason=reason, actor=actor_of(user),
                          kind="panel.member_confirmed" if no_conflict else "panel.member_recused")


def member_decline(*, member_id: int, reason: str, actor: str) -> PanelMember:
    """Staff record that a drawn expert cannot serve (not reached, unavailable); a replacement is drawn."""
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise BiddingError("reason_required", _("Say why the member cannot serve."))
    return _member_settle(member_id=member_id, user=None, seat=False, reason=reason, actor=actor,
                          kind="panel.member_declined")


def _member_settle(*, member_id: int, user: User | None, seat: bool, reason: str, actor: str,
                   kind: str) -> PanelMember:
    evaluation_id = PanelMember.objects.filter(pk=member_id).values_list("evaluation_id", flat=True).first()
    if evaluation_id is None:
        raise BiddingError("member_not_found", _("There is no such panel seat."), status=404)
    with transaction.atomic():
        lot, evaluation = evaluation_lock(evaluation_id)
        member = PanelMember.objects.select_for_update().get(pk=member_id)
        if user is not None and member.user_id != user.pk:
            raise BiddingError("not_your_seat", _("This seat is someone else's."), status=403)
        if member.status != PanelMember.Status.DRAWN or evaluation.status != Evaluation.Status.FORMING:
            raise BiddingError("already_answered", _("This seat has been answered."), status=409)
        if seat:
            member.seat()
        elif user is None:
            member.decline()
        else:
            member.recuse()
        member.answered_at, member.reason = clock.now(), reason
        member.save()
        record(kind=kind, actor=actor, subject=panel_subject(lot.pk),
               data={"member": member.pk, "user": member.user_id, "reason": reason})
        if not seat and member.kind == PanelMember.Kind.EXPERT:
            try:
                with transaction.atomic():
                    _draw(evaluation, lot, specialty=member.draw.specialty, count=1, actor=actor, replacing=member)
            except BiddingError as error:
                if error.code != "pool_too_small":
                    raise
                # The answer stands; the seat stays open until staff draw it (panel_draw) once the
                # pool allows.
                record(kind="panel.seat_open", actor=actor, subject=panel_subject(lot.pk),
                       data={"member": member.pk, "specialty": member.draw.specialty_id})
        _scoring_start_if_seated(evaluation, lot, actor=actor)
    return member


def _scoring_start_if_seated(evaluation: Evaluation, lot: Lot, *, actor: str) -> None:
    seated = list(evaluation.members.filter(status=PanelMember.Status.SEATED))
    experts = sum(member.kind == PanelMember.Kind.EXPERT for member in seated)
    if experts < evaluation.experts_needed or len(seated) - experts < evaluation.representatives:
        return
    evaluation.start_scoring()
    evaluation.save()
    ScoreSheet.objects.bulk_create(ScoreSheet(member=member) for member in seated)
    record(kind="evaluation.scoring_started", actor=actor, subject=f"lot:{lot.pk}",
           data={"members": len(seated)})

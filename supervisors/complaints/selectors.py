"""Reads of challenges and complaints: the filer's own, the regulator's queue, the staff's replies."""
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from supervisors.complaints.models import Challenge, Complaint
from trading.models import Lot, LotHold, Registration, Role, RuleCode
from trading.selectors_calendar import lot_published_at, rule_find

# The regulator's queue: what waits for a step first, by the instant it is due.
OPEN_STATUSES = (Complaint.Status.FILED, Complaint.Status.ACCEPTED)


def complaint_list_own(*, organisation, lot: Lot | None = None) -> QuerySet[Complaint]:
    """The complaints an organisation filed (on one lot, or on every lot), newest first."""
    if organisation is None:
        return Complaint.objects.none()
    complaints = Complaint.objects.filter(organisation=organisation).select_related("lot__project", "challenge")
    if lot is not None:
        complaints = complaints.filter(lot=lot)
    return complaints.order_by("-filed_at", "-id")


def challenge_list_own(*, organisation, lot: Lot | None = None) -> QuerySet[Challenge]:
    """The challenges an organisation made (on one lot, or on every lot), newest first."""
    if organisation is None:
        return Challenge.objects.none()
    challenges = Challenge.objects.filter(organisation=organisation).select_related("lot__project")
    if lot is not None:
        challenges = challenges.filter(lot=lot)
    return challenges.order_by("-filed_at", "-id")


def complaint_list_for_regulator(*, status: str = "") -> QuerySet[Complaint]:
    """Every complaint with its lot and complainant: open ones first, by when their next step is
    due (acceptance for filed ones, the decision for accepted ones), then closed ones; oldest first
    among equals."""
    complaints = Complaint.objects.select_related("lot__project", "organisation", "filed_by", "challenge")
    if status:
        complaints = complaints.filter(status=status)
    return complaints.annotate(
        closed=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()),
        next_due_at=Case(When(status=Complaint.Status.FILED, then="acceptance_due_at"),
                         When(status=Complaint.Status.ACCEPTED, then="decision_due_at")),
    ).order_by("closed", "next_due_at", "filed_at", "id")


def complaint_get(*, complaint_id: int) -> Complaint | None:
    return (Complaint.objects.select_related("lot__project", "organisation", "filed_by", "challenge")
            .filter(pk=complaint_id).first())


def challenge_list_for_staff(*, open_only: bool = False) -> QuerySet[Challenge]:
    """Challenges with their lots and suppliers: those awaiting a reply first, by due instant."""
    challenges = Challenge.objects.select_related("lot__project", "organisation", "filed_by")
    if open_only:
        challenges = challenges.filter(status=Challenge.Status.FILED)
    return challenges.annotate(
        closed=Case(When(status=Challenge.Status.FILED, then=Value(0)), default=Value(1),
                    output_field=IntegerField()),
    ).order_by("closed", "reply_due_at", "-id")


def complaint_ids_holding(*, complaint_ids) -> set[int]:
    """Which of the complaints hold their lot suspended now (one query for a page of them)."""
    subjects = [f"complaint:{pk}" for pk in complaint_ids]
    held = LotHold.objects.filter(subject__in=subjects, released_at__isnull=True).values_list("subject", flat=True)
    return {int(subject.split(":", 1)[1]) for subject in held}


def complaint_may_file(*, lot: Lot, user) -> bool:
    """Whether the page offers ``user`` the forms: a bidder of an organisation that registered for
    the lot. The services decide again, with the time limits, under the lot's lock."""
    return (user.is_authenticated and user.has_role(Role.BIDDER) and user.organisation_id is not None
            and Registration.objects.filter(lot=lot, organisation_id=user.organisation_id).exists())


@dataclass(frozen=True)
class ComplaintTerms:
    """How complaints about a lot run, read from its rule table rather than its market's name."""

    # Procurement (a procedure with a challenge reply rule): a complaint follows the complainant's
    # challenge (政府采购法 Art 55), and the decision period counts from receipt (Art 56); under the
    # tender law from acceptance (实施条例 Art 61).
    challenge_first: bool

    @property
    def decision_from_filing(self) -> bool:
        return self.challenge_first


def complaint_terms(*, lot: Lot) -> ComplaintTerms:
    reply_rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure,
                           code=RuleCode.CHALLENGE_REPLY, at=lot_published_at(lot=lot))
    return ComplaintTerms(challenge_first=reply_rule is not None)

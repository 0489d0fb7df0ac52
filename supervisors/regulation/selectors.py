"""Reads of inquiries, suspension orders and public reports, and of the people each step tells."""
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from supervisors.regulation.models import Inquiry, PublicReport
from trading import clock
from trading.models import Lot, LotHold, Organisation, Registration, Role, User
from trading.selectors import lot_list_public

# Inquiry states a list filters by.
INQUIRY_STATES = ("open", "overdue", "answered")
# Unanswered inquiries first, by due time; then answered ones, the latest answer first.
UNANSWERED_FIRST = (F("answered_at").desc(nulls_first=True), "due_at", "-pk")


# The regulators' suspension orders hold lots under "regulator-order:<lot id>" (the lot's public
# page tells them from staff's own orders, "lot:<id>", by this prefix).
ORDER_PREFIX = "regulator-order:"


def order_subject(lot_id: int) -> str:
    """The subject of the regulators' suspension order on a lot: one open at a time, apart from
    staff's own order (``lot:<id>``), which staff lift and regulators' orders do not release."""
    return f"{ORDER_PREFIX}{lot_id}"


# --- people -----------------------------------------------------------------------------------------

def regulators() -> QuerySet[User]:
    return User.objects.filter(roles__role=Role.REGULATOR, is_active=True).distinct()


def centre_staff() -> QuerySet[User]:
    return User.objects.filter(roles__role=Role.STAFF, is_active=True).distinct()


def organisation_people(*, organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(organisation_id=organisation_id, is_active=True)


def lot_parties(*, lot: Lot) -> QuerySet[Organisation]:
    """The organisations a regulator may ask about a lot: its tenderee and every organisation that
    registered for it (a refused or withdrawn one included: it may know what went wrong)."""
    registered = Registration.objects.filter(lot=lot).values("organisation_id")
    return Organisation.objects.filter(Q(pk=lot.project.tenderee_id) | Q(pk__in=registered)).order_by("name")


def lot_party_people(*, lot: Lot) -> QuerySet[User]:
    """Whom a suspension concerns besides the centre: the people of the tenderee and of the
    organisations registered for the lot and not out of it."""
    registered = (Registration.objects.filter(lot=lot)
                  .exclude(status__in=[Registration.Status.WITHDRAWN, Registration.Status.REJECTED])
                  .values("organisation_id"))
    return User.objects.filter(Q(organisation_id=lot.project.tenderee_id) | Q(organisation_id__in=registered),
                               is_active=True)


# --- inquiries --------------------------------------------------------------------------------------

def _inquiries() -> QuerySet[Inquiry]:
    return Inquiry.objects.select_related("lot__project", "organisation", "asked_by", "answered_by")


def _state_filter(inquiries: QuerySet[Inquiry], state: str) -> QuerySet[Inquiry]:
    if state == "open":
        return inquiries.filter(answered_at__isnull=True)
    if state == "overdue":
        return inquiries.filter(answered_at__isnull=True, due_at__lte=clock.now())
    if state == "answered":
        return inquiries.filter(answered_at__isnull=False)
    return inquiries


def inquiry_list_for_regulator(*, lot: Lot | None = None, state: str = "") -> QuerySet[Inquiry]:
    """Every inquiry (of one lot; in one of ``INQUIRY_STATES``), unanswered ones first by due time."""
    inquiries = _state_filter(_inquiries(), state)
    if lot is not None:
        inquiries = inquiries.filter(lot=lot)
    return inquiries.order_by(*UNANSWERED_FIRST)


def _addressed_to(user) -> Q:
    """The inquiries ``user`` answers: the centre's when staff, their organisation's otherwise."""
    scope = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    if user.has_role(Role.STAFF):
        scope |= Q(organisation__isnull=True)
    return scope


def inquiry_list_for_addressee(*, user) -> QuerySet[Inquiry]:
    """The inquiries addressed to ``user`` (to the centre for staff, to their organisation), those
    awaiting an answer first by due time."""
    if not user.is_authenticated:
        return Inquiry.objects.none()
    return _inquiries().filter(_addressed_to(user)).order_by(*UNANSWERED_FIRST)


def inquiry_may_answer(*, inquiry: Inquiry, user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if inquiry.organisation_id is None:
        return user.has_role(Role.STAFF)
    return user.organisation_id == inquiry.organisation_id


def inquiry_get_for_user(*, inquiry_id: int, user) -> Inquiry | None:
    """The inquiry, to regulators and to those it is addressed to; None to anyone else."""
    inquiry = _inquiries().filter(pk=inquiry_id).first()
    if inquiry is None or not user.is_authenticated:
        return None
    if user.has_role(Role.REGULATOR) or inquiry_may_answer(inquiry=inquiry, user=user):
        return inquiry
    return None


# --- suspension orders ------------------------------------------------------------------------------

def lot_orders(*, lot: Lot) -> QuerySet[LotHold]:
    """The regulators' suspension orders on a lot, open and lifted, oldest first."""
    return LotHold.objects.filter(lot=lot, subject=order_subject(lot.pk)).order_by("held_at", "pk")


def lot_holds_list(*, lot: Lot) -> list[LotHold]:
    """Every open hold of the lot (whatever holds it), oldest first."""
    return list(LotHold.objects.filter(lot=lot, released_at__isnull=True).order_by("held_at", "pk"))


# --- public reports ---------------------------------------------------------------------------------

def report_list(*, status: str = "") -> QuerySet[PublicReport]:
    """Every report with its lot and reporter, those waiting for a step first, oldest first among them."""
    reports = PublicReport.objects.select_related("lot__project", "reporter__organisation")
    if status:
        reports = reports.filter(status=status)
    waiting = Case(When(status__in=[PublicReport.Status.RECEIVED, PublicReport.Status.TRIAGED], then=Value(0)),
                   default=Value(1), output_field=IntegerField())
    return reports.order_by(waiting, "received_at", "pk")


def reports_waiting() -> QuerySet[PublicReport]:
    """The reports waiting for the regulator's next step (received or being handled), oldest first."""
    return report_list().filter(status__in=[PublicReport.Status.RECEIVED, PublicReport.Status.TRIAGED])


def report_get(*, report_id: int) -> PublicReport | None:
    return PublicReport.objects.select_related("lot__project", "reporter__organisation").filter(pk=report_id).first()


def report_get_by_token(*, token: str) -> PublicReport | None:
    """The reporter's own case, by the private token of their follow link."""
    if not token or len(token) > PublicReport._meta.get_field("follow_token").max_length:
        return None
    return PublicReport.objects.select_related("lot__project").filter(follow_token=token).first()


def lot_for_report(*, lot_id: int | None = None, code: str = "") -> Lot | None:
    """A lot the public may see, by id or by its code; None for any other."""
    if lot_id is not None:
        return lot_list_public().filter(pk=lot_id).first()
    if code:
        return lot_list_public(code=code.strip()).first()
    return None

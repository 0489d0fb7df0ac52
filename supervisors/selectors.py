"""Reads of supervision. ``supervisor_is_assigned`` and ``note_get`` are also what the live rooms ask
(monitoring/live/rooms.py) on entry and on every message, so they stay one indexed query each."""
from django.db.models import F, QuerySet

from supervisors.errors import not_assigned
from supervisors.models import Assignment, ObservationNote
from trading.models import Role, User


def supervisor_is_assigned(*, lot_id: int, user_id: int) -> bool:
    """Whether the user holds an active (unrevoked) assignment to the lot."""
    return Assignment.objects.filter(lot_id=lot_id, supervisor_id=user_id, revoked_at__isnull=True).exists()


def assignments_for_lot(*, lot_id: int) -> QuerySet[Assignment]:
    """Every assignment of the lot with its supervisor: the active ones first, then the newest."""
    return (Assignment.objects.filter(lot_id=lot_id).select_related("supervisor")
            .order_by(F("revoked_at").desc(nulls_first=True), "-assigned_at", "-id"))


def assignments_for_supervisor(*, user) -> QuerySet[Assignment]:
    """The user's active assignments with their lots and projects, the newest first."""
    return (Assignment.objects.filter(supervisor_id=user.pk, revoked_at__isnull=True)
            .select_related("lot__project").order_by("-assigned_at", "-id"))


def note_get(*, lot_id: int, user_id: int) -> ObservationNote | None:
    """The user's observation note on the lot, if they saved one (whether or not still assigned)."""
    return ObservationNote.objects.filter(lot_id=lot_id, supervisor_id=user_id).first()


def note_get_for_supervisor(*, lot_id: int, user) -> ObservationNote | None:
    """The note as its author reads it through the API: only while assigned to the lot."""
    if not user.has_role(Role.SUPERVISOR) or not supervisor_is_assigned(lot_id=lot_id, user_id=user.pk):
        raise not_assigned()
    return note_get(lot_id=lot_id, user_id=user.pk)


def notes_by_lot(*, user, lot_ids) -> dict[int, ObservationNote]:
    """The user's notes on the given lots, by lot id (one query for a page of assignments)."""
    return {note.lot_id: note for note in ObservationNote.objects.filter(supervisor_id=user.pk, lot_id__in=lot_ids)}


def supervisor_choices() -> QuerySet[User]:
    """Active people holding the supervisor role, for staff to choose from."""
    return (User.objects.filter(is_active=True, roles__role=Role.SUPERVISOR)
            .order_by("display_name", "username").distinct())

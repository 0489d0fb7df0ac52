"""Writes of supervision: staff assign and revoke a lot's social supervisors; an assigned supervisor
saves the observation note for that lot and witnesses the sealing of a listing's reserve.

Lock order, as everywhere on a lot: the lot (``lot_lock``), then the assignment, then the audit
chain's head (``record``). Saving a note takes only the assignment, so it waits for a revocation in
progress and then finds the assignment revoked.
"""
import hashlib

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.sales.models import SealedReserve
from bidding.sales.services.ladder import money
from bidding.sales.services.reserve import reserve_seal
from monitoring.events import access_changed, actor_of, record
from supervisors.errors import SupervisionError, not_assigned
from supervisors.errors import SupervisionErrorCode as Code
from supervisors.models import Assignment, ObservationNote
from trading import clock
from trading.models import Lot, Role, User
from trading.services.moves import lot_lock

NOTE_MAX = 20_000

# Statuses no transition leaves: nothing is left to watch, so nobody is newly assigned. (A suspended
# lot may resume and is still watched.)
ENDED_STATUSES = frozenset({Lot.Status.CONTRACTED, Lot.Status.FAILED, Lot.Status.CANCELLED,
                            Lot.Status.TERMINATED})


def assignment_create(*, lot_id: int, supervisor_id: int, actor: str) -> Assignment:
    """Assign a social supervisor to a lot. The lot's lock makes the "not yet assigned" check hold
    until commit; the partial unique constraint backs it."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status in ENDED_STATUSES:
            raise SupervisionError(
                Code.LOT_ENDED, _("The lot is %(status)s: supervisors are no longer assigned to it.")
                % {"status": lot.get_status_display()}, status=409)
        supervisor = User.objects.filter(pk=supervisor_id, is_active=True).first()
        if supervisor is None or not supervisor.has_role(Role.SUPERVISOR):
            raise SupervisionError(Code.NOT_SUPERVISOR, _("Only an active social supervisor can be assigned to a lot."))
        if supervisor.organisation_id and (
                supervisor.organisation_id == lot.project.tenderee_id
                or lot.registrations.filter(organisation_id=supervisor.organisation_id).exists()):
            # A recusal ground (DESIGN §7): the supervisor works for the tenderee or a bidder of the lot.
            raise SupervisionError(Code.SUPERVISOR_CONFLICT,
                                   _("%(name)s works for the tenderee or a bidder of this lot and cannot watch it.")
                                   % {"name": supervisor}, status=409)
        if Assignment.objects.filter(lot=lot, supervisor=supervisor, revoked_at__isnull=True).exists():
            raise SupervisionError(Code.ALREADY_ASSIGNED,
                                   _("%(name)s is already assigned to this lot.") % {"name": supervisor}, status=409)
        assignment = Assignment.objects.create(lot=lot, supervisor=supervisor, assigned_by=actor,
                                               assigned_at=clock.now())
        record(kind="supervision.assigned", actor=actor, subject=f"assignment:{assignment.pk}",
               data={"lot": lot.pk, "supervisor": supervisor.pk})
        access_changed(supervisor.pk)
    return assignment


def assignment_revoke(*, assignment_id: int, actor: str) -> Assignment:
    """End an assignment: the supervisor leaves the lot's room and can no longer save a note for it
    (the note itself is kept)."""
    with transaction.atomic():
        lot_id = Assignment.objects.filter(pk=assignment_id).values_list("lot_id", flat=True).first()
        if lot_id is None:
            raise SupervisionError(Code.ASSIGNMENT_NOT_FOUND, _("There is no such assignment."), status=404)
        lot_lock(lot_id)
        assignment = Assignment.objects.select_for_update().select_related("supervisor").get(pk=assignment_id)
        if assignment.revoked_at is not None:
            raise SupervisionError(Code.ALREADY_REVOKED, _("This assignment was already revoked."), status=409)
        assignment.revoked_at, assignment.revoked_by = clock.now(), actor
        assignment.save(update_fields=["revoked_at", "revoked_by"])
        record(kind="supervision.revoked", actor=actor, subject=f"assignment:{assignment.pk}",
               data={"lot": lot_id, "supervisor": assignment.supervisor_id})
        access_changed(assignment.supervisor_id)
    return assignment


def _note_text_check(text) -> str:
    if not isinstance(text, str) or "\x00" in text:
        raise SupervisionError(Code.NOTE_INVALID, _("The note must be plain text."))
    if len(text) > NOTE_MAX:
        raise SupervisionError(Code.NOTE_TOO_LONG, _("A note holds at most %(n)s characters; this one has %(len)s.")
                               % {"n": NOTE_MAX, "len": len(text)})
    return text


def observation_note_save(*, lot_id: int, user, text: str) -> ObservationNote:
    """Save (create or replace) the user's observation note on the lot; only a supervisor actively
    assigned to it may. The audit event holds the text's digest and length, never the text."""
    text = _note_text_check(text)
    with transaction.atomic():
        # The assignment's lock keeps it active until commit and serialises two saves of one note.
        assignment = (Assignment.objects.select_for_update()
                      .filter(lot_id=lot_id, supervisor_id=user.pk, revoked_at__isnull=True).first()
                      if user.pk is not None else None)
        if assignment is None or not user.has_role(Role.SUPERVISOR):
            raise not_assigned()
        note, _created = ObservationNote.objects.update_or_create(
            lot_id=lot_id, supervisor_id=user.pk, defaults={"text": text, "updated_at": clock.now()})
        record(kind="supervision.note_saved", actor=actor_of(user), subject=f"assignment:{assignment.pk}",
               data={"lot": lot_id, "note": note.pk, "sha256": hashlib.sha256(text.encode()).hexdigest(),
                     "length": len(text)})
    return note


def reserve_seal_witnessed(*, lot_id: int, amount, actor: str, witness_username: str,
                           witness_password: str) -> SealedReserve:
    """Staff seal a listing lot's reserve with a supervisor assigned to the lot present: the
    supervisor confirms with their own username and password on the staff member's screen, and
    both are recorded with the sealed envelope's digest. Anyone else, or a wrong password, is
    refused and nothing is sealed."""
    amount = money(amount, _("Reserve price"))
    witness = authenticate(username=witness_username, password=witness_password)
    if (witness is None or not witness.has_role(Role.SUPERVISOR)
            or not Assignment.objects.filter(lot_id=lot_id, supervisor=witness, revoked_at__isnull=True).exists()):
        raise SupervisionError(Code.WITNESS_NOT_PRESENT,
                               _("A supervisor assigned to this lot must confirm with their own username and "
                                 "password."), status=403)
    return reserve_seal(lot_id=lot_id, amount=amount, actor=actor, witness=witness)

"""One move of a lot through its state machine, under the lot's row lock: the base every service
that moves lots stands on (lots, holds, the opening, evaluation, awards, sales, complaints).

``lot_move`` writes the move, its status-change row and its audit event in the caller's transaction;
``lot_transition`` is the same behind its own lock and transaction.
"""
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import Lot, LotStatusChange
from trading.services.deposits import deposits_release_for_lot


# The ends of a lot without a deal: every deposit still held falls due for refund at the move.
NO_DEAL = (Lot.Status.FAILED, Lot.Status.CANCELLED, Lot.Status.TERMINATED)


def lot_lock(lot_id: int) -> Lot:
    """The lot, locked for the caller's transaction: every service that acts on a lot locks it here,
    first, so locks are always taken in the order lot → registration → deposit."""
    try:
        return (Lot.objects.select_for_update(of=("self",))
                .select_related("project__market", "project__procedure").get(pk=lot_id))
    except Lot.DoesNotExist:
        raise TradingError("lot_not_found", _("There is no such lot."), status=404) from None


def lot_move(lot: Lot, transition: str, *, actor: str, data: dict | None = None) -> Lot:
    """Apply one transition. Caller holds ``select_for_update`` on ``lot`` inside ``transaction.atomic``.

    A move that ends the lot without a deal (``NO_DEAL``: failed, cancelled, terminated) releases
    every deposit still held, whichever service made it, with its refund due date counted from now
    by the rule table (``deposits_release_for_lot``, which locks registrations then deposits, after
    the lot). Each release is its own event under its registration; the lot's event does not count
    them, as the lot's room must not learn how many paid (招标投标法 Art 22)."""
    method = getattr(lot, transition, None)
    if method is None or not hasattr(method, "_django_fsm"):
        raise TradingError("unknown_transition", _("There is no such step: %(name)s.") % {"name": transition})
    source = lot.status
    try:
        method()
    except TransitionNotAllowed:
        raise TradingError(
            "transition_not_allowed",
            _("A lot in status “%(status)s” cannot take the step “%(name)s”.")
            % {"status": Lot.Status(source).label, "name": transition},
            status=409,
        ) from None
    lot.next_due_refresh()
    lot.save()
    now = clock.now()
    LotStatusChange.objects.create(lot=lot, source=source, target=lot.status, transition=transition, actor=actor,
                                   at=now)
    record(kind="lot.status_changed", actor=actor, subject=f"lot:{lot.pk}",
           data={"from": source, "to": lot.status, "transition": transition, **(data or {})})
    if lot.status in NO_DEAL:
        deposits_release_for_lot(lot_id=lot.pk, keep_organisation_ids=[], actor=actor, at=now)
    return lot


def lot_transition(*, lot_id: int, transition: str, actor: str, data: dict | None = None) -> Lot:
    """Move a lot through one named transition under a row lock; a refused move changes nothing."""
    with transaction.atomic():
        return lot_move(lot_lock(lot_id), transition, actor=actor, data=data)

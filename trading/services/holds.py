"""Holds: the one way a lot is suspended and resumed, whatever the reason.

An objection, a complaint with a regulator's order, and staff's own order may each hold a lot, and
they overlap: the first hold suspends the lot, the release of the last one resumes it where it was.
Each hold is named by the audit subject of what holds it (``objection:12``, ``complaint:3``), so the
one that took it is the one that lets go.

Callers hold the lot's lock (``lot_lock``) inside their transaction and record their own event; the
lot's move records ``lot.status_changed`` with the reason code only, never who asked.
"""
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.errors import TradingError
from trading.models import Lot, LotHold
from trading.selectors_holds import lot_holds_open
from trading.services.moves import lot_move


def lot_hold(*, lot: Lot, reason: str, subject: str, actor: str, data: dict | None = None) -> LotHold:
    """Hold ``lot`` for ``subject``; the first open hold suspends it (``data`` goes with that move's
    event; an order's ``text`` is kept on the hold, for the lot's public page). Caller holds the
    lot's lock inside a transaction."""
    reason = LotHold.Reason(reason).value  # a ValueError for a code that is no reason: the caller's bug
    if lot.status != Lot.Status.SUSPENDED and lot.status not in Lot.SUSPENDABLE:
        raise TradingError("not_suspendable", _("A lot in status “%(status)s” cannot be suspended.")
                           % {"status": lot.get_status_display()}, status=409)
    if lot_holds_open(lot=lot).filter(subject=subject).exists():
        raise TradingError("already_held", _("This already holds the lot suspended."), status=409)
    text = (data or {}).get("text", "") if reason == LotHold.Reason.ORDER else ""
    hold = LotHold.objects.create(lot=lot, reason=reason, subject=subject, held_at=clock.now(), held_by=actor,
                                  text=text)
    if lot.status != Lot.Status.SUSPENDED:
        lot_move(lot, "suspend", actor=actor, data={"reason": reason, **(data or {})})
    return hold


def lot_hold_release(*, lot: Lot, subject: str, actor: str, data: dict | None = None) -> bool:
    """Release the open hold of ``subject``; when it was the last and the lot is suspended, resume
    the lot (``data`` goes with that move's event) and return True. No open hold of ``subject``
    changes nothing. Caller holds the lot's lock inside a transaction, which is also what keeps two
    releases of one lot in order (no lock on the hold rows is needed)."""
    hold = lot_holds_open(lot=lot).filter(subject=subject).first()
    if hold is None:
        return False
    hold.released_at, hold.released_by = clock.now(), actor
    hold.save(update_fields=["released_at", "released_by"])
    if lot.status != Lot.Status.SUSPENDED or lot_holds_open(lot=lot).exists():
        return False
    lot_move(lot, "resume", actor=actor, data=data)
    return True

"""Refused attempts in the opening hall (docs/opening-hall.md, "Bad input"): each recorded and
counted, every ``REFUSALS_ALERT``-th by one person on one lot raising an alert."""
from django.db import transaction

from bidding.errors import BiddingError
from bidding.sealed.models import HallRefusal
from monitoring.events import actor_of, record
from trading import clock
from trading.models import User

# Every this many refused attempts by one person on one lot, an event electronic supervision alerts on.
REFUSALS_ALERT = 3


def hall_refused(user: User, *, lot_id: int, code: str, message, status: int = 409, **data) -> BiddingError:
    """Record a refused attempt (under the person's subject: the lot's room does not show it) in its
    own transaction, count it, raise the alert event every ``REFUSALS_ALERT``; return the error to raise."""
    with transaction.atomic():
        HallRefusal.objects.create(lot_id=lot_id, user=user, code=code, at=clock.now())
        count = HallRefusal.objects.filter(lot_id=lot_id, user=user).count()
        subject = f"user:{user.pk}"
        record(kind="hall.refused", actor=actor_of(user), subject=subject,
               data={"lot": lot_id, "code": code, "refusals": count, **data})
        if count % REFUSALS_ALERT == 0:
            record(kind="hall.refused_repeatedly", actor=actor_of(user), subject=subject,
                   data={"lot": lot_id, "code": code, "refusals": count})
    return BiddingError(code, message, status=status)

"""The outage rule on bid deadlines (docs/availability.md).

If the platform was unavailable for longer than the rule table's tolerance (``outage_tolerance``)
within its period before a lot's bid deadline (``outage_period``), the deadline is extended by the
rule's amount (``outage_extension``): from the deadline, or from now where it already passed
unclosed, rounded up to a whole minute. Everyone registered for the lot is told, the extension is an
audit event (``lot.deadline_extended``) and a row on the lot (``DeadlineExtension``: the outages
that counted, the old and the new deadline).

Each stretch of unavailability counts once for a lot: an extension spends the time before it (what
it counted, and any after a deadline it moved from then on), so the sweep running again, or the new
deadline's own period reaching back over the same outage, extends nothing more. An outage still
going on past an extension counts again with its time after it only: the deadline keeps ahead of a
long outage rather than passing in it.

Two sweeps apply the rule, both under the lot's row lock: ``deadline_outage_sweep`` (registered
before the deadline sweep) extends as soon as an outage qualifies, before the deadline; and the
deadline sweep itself (``trading.services.lots.lot_due_sweep``) asks ``lot_outage_check`` before it
closes bidding, so a deadline that passed while the platform was down is extended, not closed,
whichever sweep a worker runs first. Bids are refused from ``bid_deadline`` on, so the rule moves
that field itself: no bid is ever accepted after the deadline in force when it arrives.
"""
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import DeadlineExtension, Lot, Registration, Role, Rule, RuleChange, RuleCode, User
from trading.selectors_availability import lot_deadline_unavailability, lot_outage_rules, outage_touches
from trading.services.notifications import notify

ACTOR = "system:availability"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _whole_minute(at: datetime) -> datetime:
    whole = at.replace(second=0, microsecond=0)
    return whole if whole == at else whole + timedelta(minutes=1)


def lot_deadline_extend(*, lot: Lot, new_deadline: datetime) -> dict:
    """Move ``lot``'s bid deadline later while it takes bids. Caller holds the lot's lock.

    Keeps the schedule whole: never earlier; documents on sale until the deadline stay on sale until
    the new one; registration, which closes with bidding, stays open with it; and the deadline
    sweep's next time moves with it. Returns the schedule fields changed, as ISO strings."""
    if lot.status != Lot.Status.BIDDING or lot.bid_deadline is None:
        raise TradingError("extension_not_bidding", _("Only a lot taking bids has its deadline extended."),
                           status=409)
    if new_deadline <= lot.bid_deadline:
        raise TradingError("deadline_earlier", _("An extension moves the bid deadline later, never earlier."))
    changes = {"bid_deadline": new_deadline}
    if lot.documents_until == lot.bid_deadline:
        changes["documents_until"] = new_deadline
    for name, value in changes.items():
        setattr(lot, name, value)
    lot.next_due_refresh()
    lot.save()
    return {name: _iso(value) for name, value in changes.items()}


def _registered_people(lot: Lot) -> list[User]:
    """Everyone registered for the lot: who registered each organisation still in (awaiting approval
    or approved), and its other active bidders."""
    live = Registration.objects.filter(lot=lot, status__in=(Registration.Status.PENDING, Registration.Status.APPROVED))
    organisations = live.values("organisation_id")
    people = User.objects.filter(Q(pk__in=live.values("registered_by_id"))
                                 | Q(organisation_id__in=organisations, is_active=True, roles__role=Role.BIDDER))
    return list(people.distinct().order_by("pk"))


def _tell(lot: Lot, extension: DeadlineExtension) -> None:
    params = {"lot": lot.code, "deadline": _local(extension.new_deadline), "old": _local(extension.old_deadline),
              "minutes": extension.unavailable_minutes, "period": extension.period_minutes,
              "extension": extension.extension_minutes}
    link = reverse("lot-detail", args=[lot.pk]) + "#extensions"
    for person in _registered_people(lot):
        notify(user=person, kind="lot.deadline_extended", params=params, link=link,
               title=_("The bid deadline of %(lot)s is extended to %(deadline)s"),
               body=_("The platform was unavailable for %(minutes)s minutes in the %(period)s minutes before the "
                      "bid deadline of %(old)s. Under the rule table the deadline is extended by %(extension)s "
                      "minutes, to %(deadline)s (Beijing time); registration and bids stay open until then."))


def lot_outage_check(*, lot: Lot, now: datetime) -> DeadlineExtension | None:
    """Apply the outage rule to ``lot``'s bid deadline at ``now``: extend it if the unavailability
    the rule counts exceeds the tolerance. Caller holds the lot's lock. Idempotent: counted time is
    spent (see the module)."""
    if lot.status != Lot.Status.BIDDING or lot.bid_deadline is None:
        return None
    rules = lot_outage_rules(lot=lot)
    if rules is None:
        return None
    counted = lot_deadline_unavailability(lot=lot, rules=rules, now=now)
    if counted is None or not counted.exceeded:
        return None
    old = lot.bid_deadline
    new = _whole_minute(max(old, now) + rules.extension)
    extension = DeadlineExtension.objects.create(
        lot=lot, old_deadline=old, new_deadline=new, extended_at=now, counted_from=counted.start,
        counted_until=counted.end, unavailable_seconds=int(counted.total.total_seconds()),
        tolerance_minutes=int(rules.tolerance / timedelta(minutes=1)),
        period_minutes=int(rules.period / timedelta(minutes=1)),
        extension_minutes=int(rules.extension / timedelta(minutes=1)))
    extension.outages.set(counted.outages)
    changes = lot_deadline_extend(lot=lot, new_deadline=new)
    record(kind="lot.deadline_extended", actor=ACTOR, subject=f"lot:{lot.pk}",
           data={"extension": extension.pk, "from": _iso(old), "to": _iso(new), "schedule": changes,
                 "outages": [outage.pk for outage in counted.outages],
                 "unavailable_seconds": extension.unavailable_seconds, "counted_from": _iso(counted.start),
                 "counted_until": _iso(counted.end), "tolerance_minutes": extension.tolerance_minutes,
                 "period_minutes": extension.period_minutes, "extension_minutes": extension.extension_minutes})
    _tell(lot, extension)
    return extension


def _longest_period() -> timedelta:
    """The longest outage period any lot may read: every market's and procedure's row, now and before
    each approved change (a lot reads the rule as it was at its publication)."""
    rows = Rule.objects.filter(code=RuleCode.OUTAGE_PERIOD)
    amounts = list(rows.values_list("amount", flat=True))
    amounts += RuleChange.objects.filter(rule__code=RuleCode.OUTAGE_PERIOD).values_list("previous_amount", flat=True)
    return timedelta(minutes=max(amounts, default=0))


def deadline_outage_sweep() -> dict:
    """Extend every bid deadline the outage rule extends now (a timed sweep; register it before the
    deadline sweep). Cheap when nothing is down: the lots near their deadline, then whether any
    outage touches their periods. Each lot is locked with ``SKIP LOCKED``: a lot another sweep holds
    is judged there (the deadline sweep asks the same rule before closing)."""
    now = clock.now()
    longest = _longest_period()
    near = list(Lot.objects.filter(status=Lot.Status.BIDDING, bid_deadline__isnull=False,
                                   bid_deadline__lte=now + longest).values_list("pk", "bid_deadline"))
    if not near:
        return {"extended": 0}
    earliest = min(deadline for _pk, deadline in near) - longest
    if not outage_touches(start=earliest, end=now):
        return {"extended": 0}
    extended = 0
    for lot_id, _deadline in near:
        with transaction.atomic():
            lot = (Lot.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("project__market", "project__procedure")
                   .filter(pk=lot_id, status=Lot.Status.BIDDING).first())
            if lot is not None and lot_outage_check(lot=lot, now=now) is not None:
                extended += 1
    return {"extended": extended}

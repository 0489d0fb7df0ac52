"""Raising, escalating, resolving and acknowledging alerts (电子监察).

``alerts_sweep`` is one of the platform's timed sweeps (``settings.PLATFORM_SWEEPS``): idempotent,
and safe when several run at once. Each alert change is one transaction with one audit event under
the subject ``alerts`` (the supervision dashboard's alerts room); never under a lot's subject,
whose room and timeline are public. A red alert notifies every regulator.

Races: an alert's key is unique, so two sweeps raising the same one meet at the insert and the
second gives way; a change to an existing alert takes its row with ``skip_locked`` and re-reads it,
so a sweep never waits for another and never applies one change twice. The event-driven rules
read the audit chain in id order behind one cursor row, which one sweep at a time holds.
"""
import hashlib
from collections import Counter
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from monitoring.events import actor_of, record
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert, AlertCursor
from monitoring.supervision.rules import (EVENT_KINDS, RED, RULES, TIME_RULES, YELLOW, EventRule, Step, TimeRule,
                                          level_at, rule_label, yellow_from)
from monitoring.supervision.selectors import UNRESOLVED, regulators_to_notify
from trading import clock
from trading.errors import PlatformError
from trading.models import Lot, Role, RuleCode
from trading.selectors_calendar import rule_find
from trading.services.notifications import notify
from trading.text import text_clean
from trading.workdays import CHINA, WORKING_DAYS, WorkCalendar, calendar_current

SUBJECT = "alerts"
SYSTEM = "system:alerts"
BATCH = 2000  # audit entries read per transaction of the event-driven rules
BATCHES = 50  # per sweep: the rest waits for the next one


class AlertError(PlatformError):
    """An alert action refused: a stable code and a translated message."""


def alert_key(rule_id: str, step: Step) -> str:
    """One alert per rule, occurrence and limit: a limit that moves (an amended deadline) is a new
    occurrence, and the alert of the old one resolves."""
    return f"{rule_id}:{step.ref}:{int(step.limit.timestamp())}"


def alerts_sweep() -> dict:
    """Timed sweep: raise, escalate and resolve the time rules' alerts, then read the audit chain
    for the event rules. Returns what changed."""
    now, counts = clock.now(), Counter()
    calendar = calendar_current()
    yellow = {}
    for rule in TIME_RULES:
        _time_rule_sweep(rule, now=now, calendar=calendar, yellow=yellow, counts=counts)
    _event_rules_sweep(now=now, counts=counts)
    return {"raised": counts["raised"], "escalated": counts["escalated"], "resolved": counts["resolved"]}


# --- time rules ---------------------------------------------------------------------------------------

def _yellow_amount(market_id: str | None, cache: dict) -> tuple[int, str]:
    """``alert_yellow`` of the market (the rule table), read once per sweep."""
    if market_id not in cache:
        rule = rule_find(market=market_id, procedure=None, code=RuleCode.ALERT_YELLOW) if market_id else None
        cache[market_id] = (rule.amount, rule.unit) if rule else (1, WORKING_DAYS)
    return cache[market_id]


def _time_rule_sweep(rule: TimeRule, *, now: datetime, calendar: WorkCalendar, yellow: dict, counts: Counter):
    # The rule's unresolved alerts are read before its open steps: an alert raised before this read
    # belongs to a step that was open then, so if the step is missing from the later read it is done.
    # (One raised meanwhile by another sweep is not in this read, and is left alone.)
    pending = {key: (pk, level) for key, pk, level in
               Alert.objects.filter(rule=rule.id, state__in=UNRESOLVED).values_list("key", "pk", "level")}
    live = set()
    for step in rule.steps(now, calendar):
        key = alert_key(rule.id, step)
        live.add(key)
        yellow_at = None
        if rule.yellow:
            amount, unit = _yellow_amount(step.market_id, yellow)
            yellow_at = yellow_from(limit=step.limit, amount=amount, unit=unit, calendar=calendar)
        level = level_at(now=now, limit=step.limit, yellow_at=yellow_at)
        if level is None or (key in pending and (pending[key][1] == RED or level == YELLOW)):
            continue
        if key in pending:
            _escalate(pending[key][0], now=now, counts=counts)
        elif not Alert.objects.filter(key=key).exists():  # resolved already, if it exists
            _raise(rule, key=key, level=level, now=now, counts=counts, subject=step.ref, lot=_lot_of(step.lot_id),
                   market_id=step.market_id, due_at=step.limit)
    for key, (pk, _level) in pending.items():
        if key not in live:
            _resolve(pk, now=now, counts=counts)


def _lot_of(lot_id: int | None) -> Lot | None:
    return Lot.objects.select_related("project").filter(pk=lot_id).first() if lot_id else None


def _raise(rule: TimeRule | EventRule, *, key: str, level: str, now: datetime, counts: Counter, subject: str,
           lot: Lot | None, market_id: str | None, due_at: datetime | None = None, data: dict | None = None) -> None:
    """Insert the alert; the sweep that inserts it alone records it. Inside or outside a
    transaction: the savepoint lets a lost race roll back only the insert. Everything read before,
    so that the chain's write lock, taken by ``record``, is held only for the writes."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    rule=rule.id, key=key, subject=subject[:64], lot=lot, market_id=market_id, level=level,
                    data=data or {}, due_at=due_at, raised_at=now, escalated_at=now if level == RED else None)
        except IntegrityError:  # another sweep raised it meanwhile
            return
        record(kind="alert.raised", actor=SYSTEM, subject=SUBJECT, data=_event_data(alert, lot))
        if level == RED:
            _regulators_tell(alert, lot)
    counts["raised"] += 1


def _locked(pk: int) -> Alert | None:
    """The unresolved alert's row, or None when it is resolved or another sweep holds it."""
    return (Alert.objects.select_for_update(skip_locked=True, of=("self",)).select_related("lot__project")
            .filter(pk=pk, state__in=UNRESOLVED).first())


def _escalate(pk: int, *, now: datetime, counts: Counter) -> None:
    """Yellow turns red. An acknowledged yellow opens again: being overdue is news the regulator
    has not acknowledged."""
    with transaction.atomic():
        alert = _locked(pk)
        if alert is None or alert.level == RED:
            return
        previous = alert.state
        alert.level, alert.escalated_at, alert.state = RED, now, Alert.State.OPEN
        alert.save(update_fields=["level", "escalated_at", "state"])
        record(kind="alert.escalated", actor=SYSTEM, subject=SUBJECT,
               data={**_event_data(alert, alert.lot), "from": YELLOW, "was": previous})
        _regulators_tell(alert, alert.lot)
    counts["escalated"] += 1


def _resolve(pk: int, *, now: datetime, counts: Counter) -> None:
    with transaction.atomic():
        alert = _locked(pk)
        if alert is None:
            return
        alert.state, alert.resolved_at, alert.resolved_by = Alert.State.RESOLVED, now, SYSTEM
        alert.save(update_fields=["state", "resolved_at", "resolved_by"])
        record(kind="alert.resolved", actor=SYSTEM, subject=SUBJECT, data=_event_data(alert, alert.lot))
    counts["resolved"] += 1


# --- event rules --------------------------------------------------------------------------------------

def _lot_id_of(entry) -> int | None:
    parts = entry.subject.split(":")
    if len(parts) == 2 and parts[0] == "lot" and parts[1].isdigit():
        return int(parts[1])
    lot = (entry.data or {}).get("lot")
    return lot if isinstance(lot, int) and not isinstance(lot, bool) else None


def _event_rules_sweep(*, now: datetime, counts: Counter) -> None:
    """Read the audit chain after the cursor. Entries are numbered under the chain's one write lock,
    held until each append commits, so none can appear later below an id already read."""
    AlertCursor.objects.get_or_create(pk=AlertCursor.ROW)
    kinds = list(EVENT_KINDS)
    for _batch in range(BATCHES):
        with transaction.atomic():
            cursor = AlertCursor.objects.select_for_update(skip_locked=True).filter(pk=AlertCursor.ROW).first()
            if cursor is None:  # another sweep is reading
                return
            ids = list(AuditEntry.objects.filter(pk__gt=cursor.last_entry).order_by("pk")
                       .values_list("pk", flat=True)[:BATCH])
            if not ids:
                return
            entries = AuditEntry.objects.filter(pk__gte=ids[0], pk__lte=ids[-1], kind__in=kinds).order_by("pk")
            # Every read first: the writes that follow hold the chain's lock until this commits.
            found = [alert for entry in entries for rule in EVENT_KINDS[entry.kind]
                     if (alert := _event_alert(rule, entry)) is not None]
            for alert in found:
                _raise(**alert, now=now, counts=counts)
            cursor.last_entry = ids[-1]
            cursor.save(update_fields=["last_entry"])


def _event_alert(rule: EventRule, entry) -> dict | None:
    """The alert ``entry`` calls for under ``rule`` (``_raise``'s arguments), or None."""
    if rule.applies is not None and not rule.applies(entry):
        return None
    lot = _lot_of(_lot_id_of(entry))
    data = {"entry": entry.pk, "kind": entry.kind, "actor": entry.actor, "at": entry.at.isoformat(),
            **{name: value for name, value in (entry.data or {}).items()
               if name in rule.keep and isinstance(value, (str, int, bool))}}
    return {"rule": rule, "key": f"{rule.id}:entry:{entry.pk}", "level": rule.level,
            "subject": entry.subject or entry.kind, "lot": lot, "market_id": lot.project.market_id if lot else None,
            "data": data}


# --- the regulator's acknowledgement ------------------------------------------------------------------

def _refuse(*, code: str, message, alert_id: int, actor: str, status: int = 403):
    """Refusals of a right are on the record too, in a transaction of their own."""
    with transaction.atomic():
        record(kind="alert.acknowledge_refused", actor=actor, subject=SUBJECT, data={"alert": alert_id, "code": code})
    raise AlertError(code, message, status=status)


def alert_acknowledge(*, alert_id: int, user, comment: str) -> Alert:
    """A regulator acknowledges an alert with a comment (what they found or did). Only regulators:
    the centre's staff run the steps the alerts watch, and do not sign off on their own lateness
    (管办分离). A time rule's alert stays until its step is done; an event rule's alert has no step
    to wait for, so the acknowledgement settles it (resolved, by the regulator)."""
    actor = actor_of(user)
    signed_in = getattr(user, "is_authenticated", False)
    if signed_in and user.has_role(Role.STAFF):
        _refuse(code="staff_cannot_acknowledge",
                message=_("The centre's staff do not acknowledge alerts about the steps they run (管办分离)."),
                alert_id=alert_id, actor=actor)
    if not signed_in or not user.has_role(Role.REGULATOR):
        _refuse(code="not_a_regulator", message=_("Only a regulator acknowledges alerts."), alert_id=alert_id,
                actor=actor)
    comment = text_clean(comment, code="comment", message=_("Say what you found or did about the alert."),
                         error=AlertError)
    with transaction.atomic():
        alert = (Alert.objects.select_for_update(of=("self",)).select_related("lot__project")
                 .filter(pk=alert_id).first())
        if alert is None:
            raise AlertError("alert_not_found", _("There is no such alert."), status=404)
        if alert.state == Alert.State.ACKNOWLEDGED:
            raise AlertError("alert_acknowledged", _("The alert was already acknowledged."), status=409)
        if alert.state == Alert.State.RESOLVED:
            raise AlertError("alert_resolved", _("The alert is resolved: its step is done."), status=409)
        now = clock.now()
        alert.state = Alert.State.ACKNOWLEDGED
        alert.acknowledged_by, alert.acknowledged_at, alert.acknowledgement = actor, now, comment
        if alert_is_event(alert):
            alert.state, alert.resolved_by, alert.resolved_at = Alert.State.RESOLVED, actor, now
        alert.save()
        record(kind="alert.acknowledged", actor=actor, subject=SUBJECT,
               data={**_event_data(alert, alert.lot), "by": actor,
                     "comment_sha256": hashlib.sha256(comment.encode()).hexdigest()})
    return alert


def alert_is_event(alert: Alert) -> bool:
    """Whether an event rule raised the alert (no step resolves it)."""
    return isinstance(RULES.get(alert.rule), EventRule)


# --- what every alert event carries, and the regulators' notice ---------------------------------------

def _event_data(alert: Alert, lot: Lot | None) -> dict:
    """What the dashboard needs to show the alert and count it by market and level. No names: the
    rule, the occurrence and the lot."""
    return {"alert": alert.pk, "rule": alert.rule, "level": alert.level, "state": alert.state,
            "market": alert.market_id, "lot": alert.lot_id, "lot_code": lot.code if lot else "",
            "about": alert.subject, "due_at": alert.due_at.isoformat() if alert.due_at else None}


def _regulators_tell(alert: Alert, lot: Lot | None) -> None:
    due = formats.date_format(alert.due_at.astimezone(CHINA), "Y-m-d H:i") if alert.due_at else ""
    params = {"rule": rule_label(alert.rule), "about": lot.code if lot else alert.subject, "due": due}
    body = (_("%(about)s: the limit was %(due)s (China time). Acknowledge it on the alert's page.") if due
            else _("%(about)s. Acknowledge it on the alert's page."))
    link = reverse("supervision-alert", args=[alert.pk])
    for regulator in regulators_to_notify():
        notify(user=regulator, kind="alert.red", title=_("Red alert: %(rule)s"), body=body, params=params, link=link)

"""Recording the platform's availability (docs/availability.md): the probe's sweep, and the incidents
staff declare.

``availability_probe_sweep`` is one of the timed sweeps (``settings.PLATFORM_SWEEPS``, before the
deadline sweeps). Each round probes the database, Redis (where configured) and object storage, and
beats the sweeps' heartbeat. Only changes are stored: a part that fails
``PLATFORM_AVAILABILITY_FAILURES`` probes in a row opens an outage dated from its first failed
probe; the first probe it answers closes it. A round in which the heartbeat finds the previous one
more than ``PLATFORM_AVAILABILITY_GAP`` seconds old records the gap as an outage of the sweeps: no
round ran, so the workers, the database or the whole platform were down.

The database cannot hold the record of its own outage while it is down: a round that finds it
down keeps its count in a small file under ``VAR_DIR`` instead, and the first round that finds it
back writes the outage from that file, with its real start and end.

Staff declare an incident with a start, an end (or none yet) and a reason (``incident_declare``),
and correct or close it (``incident_change``); each is an audit event, as is a refusal of anyone
else.
"""
import fcntl
import json
import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from monitoring.events import actor_of, record
from trading import clock
from trading.errors import TradingError
from trading.models import Outage, Part, PartState, Role, User
from trading.probes import PROBES, database_probe, parts_configured
from trading.text import text_clean

log = logging.getLogger(__name__)

PROBE_SWEEP = "trading.services.availability.availability_probe_sweep"
ACTOR = "system:availability"
REASON_MAX = 2000
# A declared start this far ahead of the server's clock is still "now" (a person's clock is off).
CLOCK_SLACK = timedelta(minutes=1)
# How long after its start an incident may still be declared or its start corrected.
DECLARED_WITHIN = timedelta(days=366)


def failures_to_open() -> int:
    return settings.PLATFORM_AVAILABILITY_FAILURES


def heartbeat_gap() -> timedelta:
    return timedelta(seconds=settings.PLATFORM_AVAILABILITY_GAP)


def _iso(value: datetime | None) -> str | None:
    """UTC, so the same moment always reads the same on the record, whatever zone it came in."""
    return value.astimezone(UTC).isoformat() if value else None


# --- the database's own outage, kept outside it while it is down -------------------------------------

def pending_path() -> Path:
    return Path(settings.VAR_DIR) / "availability" / "database-pending.json"


@contextmanager
def _pending():
    """The file of the database's failed probes, locked against other workers on this host; yields
    its content (a dict) and writes back what the caller leaves in it (nothing: the file goes)."""
    path = pending_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            content = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            content = {}  # a file torn by a crash: its count starts again
        yield content
        if content:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(content))
            temporary.replace(path)
        elif path.exists():
            path.unlink()


def _database_failed(now: datetime, error: str) -> None:
    with _pending() as content:
        content.setdefault("since", now.isoformat())
        content["failures"] = content.get("failures", 0) + 1
        content.setdefault("error", error)
        content["last_error"] = error


def _database_back(now: datetime) -> Outage | None:
    """The database answers again: write the outage the file kept, if it was long enough to count
    (overlapping one another worker already wrote, that one is widened instead)."""
    with _pending() as content:
        if not content:
            return None
        since, failures, error = datetime.fromisoformat(content["since"]), content["failures"], content["error"]
        content.clear()
        if failures < failures_to_open() or now <= since:
            return None
        with transaction.atomic():
            outage = (Outage.objects.select_for_update()
                      .filter(source=Outage.Source.PROBE, part=Part.DATABASE, started_at__lte=now, ended_at__gte=since)
                      .first())
            if outage is not None:
                outage.started_at, outage.ended_at = min(outage.started_at, since), max(outage.ended_at, now)
                outage.failures += failures
                outage.save(update_fields=["started_at", "ended_at", "failures"])
            else:
                outage = Outage.objects.create(source=Outage.Source.PROBE, part=Part.DATABASE, started_at=since,
                                               ended_at=now, reason=error, failures=failures)
            record(kind="availability.outage_recorded", actor=ACTOR, subject=f"outage:{outage.pk}",
                   data={"part": Part.DATABASE, "from": _iso(outage.started_at), "until": _iso(outage.ended_at),
                         "failures": outage.failures, "error": error})
        return outage


# --- the probe's round -----------------------------------------------------------------------------

def _state(part: str, *, wait: bool = False) -> PartState | None:
    """The part's state, locked; None when another round holds it (that round records it), unless
    ``wait``: then after that round commits."""
    locked = PartState.objects.select_for_update(skip_locked=not wait).filter(part=part)
    state = locked.first()
    if state is None and not PartState.objects.filter(part=part).exists():
        PartState.objects.get_or_create(part=part)  # the part's first round
        state = locked.first()
    return state


def _observe(part: str, error: str | None, at: datetime) -> str:
    """Record one probe's answer for ``part``; returns what changed: opened, closed, failing, ok or
    skipped (another round holds the part, or already recorded a later probe)."""
    with transaction.atomic():
        state = _state(part)
        if state is None or (state.last_checked_at and state.last_checked_at >= at):
            return "skipped"
        state.last_checked_at = at
        outcome = "ok"
        if error is None:
            # Only a part that was failing can have an outage open.
            open_outage = state.failures and Outage.objects.filter(source=Outage.Source.PROBE, part=part,
                                                                    ended_at__isnull=True).first()
            state.failures, state.failing_since, state.last_ok_at = 0, None, at
            if open_outage:
                open_outage.ended_at = max(at, open_outage.started_at + timedelta(microseconds=1))
                open_outage.save(update_fields=["ended_at"])
                record(kind="availability.outage_closed", actor=ACTOR, subject=f"outage:{open_outage.pk}",
                       data={"part": part, "from": _iso(open_outage.started_at), "until": _iso(open_outage.ended_at),
                             "failures": open_outage.failures})
                outcome = "closed"
        else:
            state.failures += 1
            state.failing_since = state.failing_since or at
            state.last_error = error
            outcome = "failing"
            open_outage = (state.failures > failures_to_open() and Outage.objects.filter(
                source=Outage.Source.PROBE, part=part, ended_at__isnull=True).first())
            if open_outage:
                open_outage.failures = state.failures
                open_outage.save(update_fields=["failures"])
            elif state.failures >= failures_to_open():
                open_outage = Outage.objects.create(source=Outage.Source.PROBE, part=part,
                                                    started_at=state.failing_since, reason=error,
                                                    failures=state.failures)
                record(kind="availability.outage_opened", actor=ACTOR, subject=f"outage:{open_outage.pk}",
                       data={"part": part, "from": _iso(open_outage.started_at), "failures": state.failures,
                             "error": error})
                outcome = "opened"
        state.save()
    return outcome


def heartbeat_beat(*, now: datetime, explained_from: datetime | None = None) -> Outage | None:
    """Beat the sweeps' heartbeat at ``now``. If the previous beat is older than the allowed gap, no
    round ran in between: record that gap as an outage of the sweeps (from the previous beat, until
    ``explained_from`` when a database outage just recorded explains the rest, else until now).
    Never a first beat, nor a clock that went back."""
    with transaction.atomic():
        # Waits for a concurrent beat (a short transaction), so the gap is judged on its beat.
        state = _state(Part.SWEEPS, wait=True)
        previous = state.last_checked_at
        state.last_checked_at = state.last_ok_at = max(now, previous) if previous else now
        state.save(update_fields=["last_checked_at", "last_ok_at"])
        if previous is None or now - previous <= heartbeat_gap():
            return None
        until = min(now, explained_from) if explained_from else now
        if until - previous <= heartbeat_gap():
            return None
        outage = Outage.objects.create(
            source=Outage.Source.PROBE, part=Part.SWEEPS, started_at=previous, ended_at=until, failures=0,
            reason=_("No sweep round ran between %(from)s and %(until)s.") % {"from": _iso(previous),
                                                                              "until": _iso(until)})
        record(kind="availability.outage_recorded", actor=ACTOR, subject=f"outage:{outage.pk}",
               data={"part": Part.SWEEPS, "from": _iso(previous), "until": _iso(until)})
        return outage


def heartbeat_catch_up(*, now: datetime) -> Outage | None:
    """For the deadline sweep, before it closes anything: where the probe runs (its sweep is
    registered and has beaten before) but its last beat is older than the gap, record the gap now,
    so that a deadline that passed while nothing ran is judged on it, whichever sweep a worker runs
    first after the platform comes back."""
    if PROBE_SWEEP not in settings.PLATFORM_SWEEPS:
        return None
    last = PartState.objects.filter(part=Part.SWEEPS).values_list("last_checked_at", flat=True).first()
    if last is None or now - last <= heartbeat_gap():
        return None
    return heartbeat_beat(now=now)


def availability_probe_sweep() -> dict:
    """One probe round (see the module). Returns what happened to each part."""
    now = clock.now()
    error = database_probe()
    if error is not None:
        # Nothing can be written to the database: the file keeps the count until it is back.
        _database_failed(now, error)
        return {Part.DATABASE: "failing"}
    recovered = _database_back(now)
    results = {Part.DATABASE: _observe(Part.DATABASE, None, now)}
    if recovered:
        results[Part.DATABASE] = "recorded"
    heartbeat_beat(now=now, explained_from=recovered.started_at if recovered else None)
    for part in parts_configured():
        if part != Part.DATABASE:
            results[part] = _observe(part, PROBES[part](), now)
    return results


# --- incidents declared by staff --------------------------------------------------------------------

def _refuse(*, person: User, code: str, message, action: str, data: dict | None = None, status: int = 403):
    with transaction.atomic():
        record(kind="availability.refused", actor=actor_of(person), subject="availability",
               data={"action": action, "code": code, **(data or {})})
    raise TradingError(code, message, status=status)


def _staff_check(person: User, action: str, data: dict | None = None) -> None:
    if not (person.is_authenticated and person.has_role(Role.STAFF)):
        _refuse(person=person, code="incident_not_staff", action=action, data=data,
                message=_("Only the trading centre's staff declare or change platform incidents."))


def _times_check(started_at: datetime, ended_at: datetime | None, now: datetime) -> None:
    for value in (started_at, ended_at):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise TradingError("incident_time_naive", _("Give each time with its time zone."))
    if started_at > now + CLOCK_SLACK:
        raise TradingError("incident_in_future", _("An incident is declared once it has begun: its start cannot "
                                                   "be later than now."))
    if started_at < now - DECLARED_WITHIN:
        raise TradingError("incident_too_old", _("An incident is declared within a year of its start: an older one "
                                                 "can no longer move any deadline."))
    if ended_at is not None and ended_at <= started_at:
        raise TradingError("incident_ends_before_start", _("An incident must end after it starts."))
    if ended_at is not None and ended_at > now + CLOCK_SLACK:
        raise TradingError("incident_end_in_future", _("An incident's end is set once it is over: leave it empty "
                                                       "while the incident goes on."))


def _incident_data(incident: Outage) -> dict:
    return {"part": incident.part, "from": _iso(incident.started_at), "until": _iso(incident.ended_at),
            "reason": incident.reason}


def incident_declare(*, person: User, started_at: datetime, reason: str, ended_at: datetime | None = None,
                     part: str = Part.PLATFORM) -> Outage:
    """Staff declare that the platform (or one part) was or is unavailable from ``started_at``,
    until ``ended_at`` or, left empty, until further notice."""
    _staff_check(person, "declare")
    reason = text_clean(reason, code="incident_reason", message=_("Say what happened."))
    if len(reason) > REASON_MAX:
        raise TradingError("incident_reason_too_long", _("At most %(n)s characters, please.") % {"n": REASON_MAX})
    if part not in Part.values:
        raise TradingError("incident_part_unknown", _("There is no such part of the platform."))
    now = clock.now()
    _times_check(started_at, ended_at, now)
    actor = actor_of(person)
    with transaction.atomic():
        incident = Outage.objects.create(source=Outage.Source.DECLARED, part=part, started_at=started_at,
                                         ended_at=ended_at, reason=reason, declared_by=actor, declared_at=now)
        record(kind="availability.incident_declared", actor=actor, subject=f"outage:{incident.pk}",
               data=_incident_data(incident))
    return incident


UNSET = object()


def incident_change(*, person: User, incident_id: int, why: str, started_at=UNSET, ended_at=UNSET,
                    reason=UNSET) -> Outage:
    """Correct a declared incident or close it (``ended_at``); ``why`` says why, on the record with
    the values before and after. An extension the incident already caused stays: a deadline once
    extended is never moved back."""
    _staff_check(person, "change", {"incident": incident_id})
    why = text_clean(why, code="incident_change_reason", message=_("Say why the incident changes."))
    now = clock.now()
    actor = actor_of(person)
    with transaction.atomic():
        incident = (Outage.objects.select_for_update()
                    .filter(pk=incident_id, source=Outage.Source.DECLARED).first())
        if incident is None:
            raise TradingError("incident_not_found", _("There is no such incident."), status=404)
        before = _incident_data(incident)
        new_start = incident.started_at if started_at is UNSET else started_at
        new_end = incident.ended_at if ended_at is UNSET else ended_at
        if new_start is None:
            raise TradingError("incident_start_required", _("An incident has a start."))
        _times_check(new_start, new_end, now)
        if reason is not UNSET:
            incident.reason = text_clean(reason, code="incident_reason", message=_("Say what happened."))[:REASON_MAX]
        incident.started_at, incident.ended_at = new_start, new_end
        after = _incident_data(incident)
        if after == before:
            raise TradingError("incident_unchanged", _("Nothing changes: the incident already reads so."))
        incident.changed_by, incident.changed_at = actor, now
        incident.save()
        record(kind="availability.incident_changed", actor=actor, subject=f"outage:{incident.pk}",
               data={"before": before, "after": after, "why": why})
    return incident

"""Recording domain events: the one module every app imports to append to the audit chain.

A leaf: it imports Django, Channels and monitoring's own chain and models, never another app of
the project, and not the signing key (checkpoints live in ``monitoring.audit.services``).
"""
import functools
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring import chain, fanout
from monitoring.chain import AuditError, AuditErrorCode
from monitoring.models import SUBJECT_MAX_LENGTH, AuditEntry, AuditHead

_ENTRY = AuditEntry._meta.db_table
_HEAD = AuditHead._meta.db_table
_DATA = AuditEntry._meta.get_field("data")

# ":" separates the parts of a subject ("lot:7") and becomes "." in its group name; "." itself is
# not allowed in a part so that two subjects never share a group.
_SUBJECT = re.compile(r"[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)*")
_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
_ACTOR = re.compile(r"[A-Za-z0-9_.-]+(:[A-Za-z0-9_.@-]+)*")


# The actor of an event that would tell who takes part in a procedure before its opening (a
# registration, a download, a question, a bid). An audit extract shows every entry's actor in clear,
# so the person is recorded in the event's data instead, which extracts redact under a salted digest.
WITHHELD_ACTOR = "withheld"


def actor_of(user) -> str:
    """The actor string for a request's user: ``user:<pk>``, or ``system`` for nobody signed in."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return "system"
    return f"user:{user.pk}"


def subject_group(subject: str) -> str:
    """The channel-layer group that carries a subject's live events."""
    return "subject." + subject.replace(":", ".")


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's open room connections."""
    return f"user.{user_id}"


def access_changed(user_id: int) -> None:
    """Tell a user's open rooms to check their membership again once the current transaction
    commits (an assignment was made or revoked). Call it inside that transaction."""
    transaction.on_commit(functools.partial(fanout.submit, user_group(user_id), {"type": "room.recheck"}))


def event_payload(entry: AuditEntry) -> dict:
    """The event as clients see it, live or when catching up after a reconnect."""
    return {
        "seq": entry.subject_seq, "at": chain.time_format(at=entry.at), "kind": entry.kind,
        "actor": entry.actor, "subject": entry.subject, "data": entry.data,
    }


def head_lock() -> AuditHead:
    """Lock and return the chain's head row: the single write lock of the chain.

    Precondition: inside ``transaction.atomic()``; the lock is held until that transaction ends.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_id, last_hash, count FROM {_HEAD} WHERE id = %s{lock}", [AuditHead.ROW])
        row = cursor.fetchone()
    if row is not None:
        return AuditHead(id=AuditHead.ROW, last_id=row[0], last_hash=row[1], count=row[2])
    # The migration creates the row; it is missing only after the tables were emptied (Django's test
    # flush). Rebuild it from the chain's end. Two appenders may both get here: the second INSERT
    # waits for the first transaction and then finds the row, so both continue from the same head.
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    last_id, last_hash = last or (0, chain.GENESIS_PREV)
    AuditHead.objects.get_or_create(
        pk=AuditHead.ROW, defaults={"last_id": last_id, "last_hash": last_hash, "count": AuditEntry.objects.count()}
    )
    return AuditHead.objects.select_for_update().get(pk=AuditHead.ROW)


def actors_of(*, subject: str, kinds: list[str]) -> list[str]:
    """Who recorded events of ``kinds`` on ``subject``, each once, in no particular order: for duties
    that must not meet in one person (the award review). Reads kinds, subjects and actors only."""
    return list(AuditEntry.objects.filter(subject=subject, kind__in=kinds).values_list("actor", flat=True).distinct())


def record(*, kind: str, actor: str, subject: str = "", data: dict | None = None) -> AuditEntry:
    """Append one event to the audit chain and broadcast it to the subject's group after commit.

    Call it inside the transaction that makes the change, after taking your own row locks: the head
    lock taken here is held until that transaction commits, so every append in the platform waits
    for it; keep the work after ``record()`` short. ``data`` holds only JSON strings, ints, bools,
    null, lists and objects; money goes as a string. Raises ``AuditError`` and writes nothing when
    an argument cannot be recorded.
    """
    return record_many(events=[{"kind": kind, "actor": actor, "subject": subject, "data": data}])[0]


def record_many(*, events: list[dict]) -> list[AuditEntry]:
    """Append several events (dicts of ``record()``'s arguments) in order, under one head lock and
    with one round trip for all rows: an opening records one event per bid this way."""
    if not events:
        return []
    checked = []
    for event in events:
        data = chain.data_clean(data=event.get("data") or {})
        kind, actor, subject = event["kind"], event["actor"], event.get("subject", "")
        _name_check(kind, _KIND, 64, _("kind"))
        _name_check(actor, _ACTOR, 64, _("actor"))
        if subject:
            _name_check(subject, _SUBJECT, SUBJECT_MAX_LENGTH, _("subject"))
        checked.append((kind, actor, subject, data))
    # No savepoint: if the append fails, the caller's change must not commit without its events.
    with transaction.atomic(savepoint=False):
        entries = _append(checked)
        for entry in entries:
            if entry.subject:
                # One callback per event rather than one per transaction: a savepoint rolled back
                # takes its events' callbacks with it. The fan-out thread merges them per group.
                transaction.on_commit(functools.partial(
                    fanout.submit, subject_group(entry.subject),
                    {"type": "room.events", "events": [event_payload(entry)]}))
    return entries


_INSERT = (f"INSERT INTO {_ENTRY} (at, kind, actor, subject, subject_seq, data, salt, prev_hash, hash)"
           " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")


def _append(items: list[tuple[str, str, str, dict]]) -> list[AuditEntry]:
    # Plain SQL rather than the ORM: this runs under the chain's only write lock, so each millisecond
    # spent here is one every writer of the platform waits; the ORM's overhead about doubled it.
    head = head_lock()
    seqs: dict[str, int] = {}
    entries, rows, prev = [], [], head.last_hash
    with connection.cursor() as cursor:
        for kind, actor, subject, data in items:
            if subject not in seqs:
                # After the lock: a READ COMMITTED statement started now sees every earlier append's seq.
                cursor.execute(f"SELECT subject_seq FROM {_ENTRY} WHERE subject = %s"
                               " ORDER BY subject_seq DESC LIMIT 1", [subject])
                row = cursor.fetchone()
                seqs[subject] = row[0] if row else 0
            seqs[subject] += 1
            # Read the clock under the lock so that ``at`` follows the chain's order (as far as the clock does).
            fields = {"at": timezone.now(), "kind": kind, "actor": actor, "subject": subject,
                      "subject_seq": seqs[subject], "data": data, "salt": chain.salt_new()}
            digest = chain.entry_hash(**fields, prev=prev)
            rows.append([connection.ops.adapt_datetimefield_value(fields["at"]), kind, actor, subject,
                         fields["subject_seq"], _DATA.get_db_prep_save(data, connection), fields["salt"],
                         prev, digest])
            entries.append(AuditEntry(**fields, prev_hash=prev, hash=digest))
            prev = digest
        if len(rows) == 1 and connection.features.can_return_columns_from_insert:
            cursor.execute(_INSERT + " RETURNING id", rows[0])
            last_id = cursor.fetchone()[0]
        else:
            cursor.executemany(_INSERT, rows)
            last = entries[-1]
            cursor.execute(f"SELECT id FROM {_ENTRY} WHERE subject = %s AND subject_seq = %s",
                           [last.subject, last.subject_seq])
            last_id = cursor.fetchone()[0]
        cursor.execute(f"UPDATE {_HEAD} SET last_id = %s, last_hash = %s, count = count + %s WHERE id = %s",
                       [last_id, prev, len(entries), AuditHead.ROW])
    # Every insert into the chain holds the head lock, so these rows took consecutive ids.
    for offset, entry in enumerate(reversed(entries)):
        entry.id = last_id - offset
        entry._state.adding, entry._state.db = False, connection.alias
    return entries


def _name_check(value: str, pattern: re.Pattern, max_length: int, field) -> None:
    if not isinstance(value, str) or len(value) > max_length or not pattern.fullmatch(value):
        raise AuditError(AuditErrorCode.NAME, _("Not a valid audit %(field)s: %(value)r."), field=field, value=value)

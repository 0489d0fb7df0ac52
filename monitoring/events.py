"""Recording domain events: the one module every app imports to append to the audit chain.

A leaf: it imports Django, Channels and monitoring's own chain and models, never another app of
the project, and not the signing key (checkpoints live in ``monitoring.services``).
"""
import functools
import logging
import re

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring import chain
from monitoring.chain import AuditError, AuditErrorCode
from monitoring.models import SUBJECT_MAX_LENGTH, AuditEntry, AuditHead

log = logging.getLogger(__name__)

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


def record(*, kind: str, actor: str, subject: str = "", data: dict | None = None) -> AuditEntry:
    """Append one event to the audit chain and broadcast it to the subject's group after commit.

    Call it inside the transaction that makes the change, after taking your own row locks: the head
    lock taken here is held until that transaction commits, so every append in the platform waits
    for it; keep the work after ``record()`` short. ``data`` holds only JSON strings, ints, bools,
    null, lists and objects; money goes as a string. Raises ``AuditError`` and writes nothing when
    an argument cannot be recorded.
    """
    data = chain.data_clean(data={} if data is None else data)
    _name_check(kind, _KIND, 64, _("kind"))
    _name_check(actor, _ACTOR, 64, _("actor"))
    if subject:
        _name_check(subject, _SUBJECT, SUBJECT_MAX_LENGTH, _("subject"))
    # No savepoint: if the append fails, the caller's change must not commit without its event.
    with transaction.atomic(savepoint=False):
        entry = _append(kind=kind, actor=actor, subject=subject, data=data)
        if subject:
            transaction.on_commit(functools.partial(_broadcast, subject_group(subject), event_payload(entry)))
    return entry


def _append(*, kind: str, actor: str, subject: str, data: dict) -> AuditEntry:
    # Plain SQL rather than the ORM: this runs under the chain's only write lock, so each millisecond
    # spent here is one every writer of the platform waits; the ORM's overhead about doubled it.
    head = head_lock()
    with connection.cursor() as cursor:
        # After the lock: a READ COMMITTED statement started now sees every earlier append's seq.
        cursor.execute(f"SELECT subject_seq FROM {_ENTRY} WHERE subject = %s ORDER BY subject_seq DESC LIMIT 1",
                       [subject])
        row = cursor.fetchone()
        # Read the clock under the lock so that ``at`` follows the chain's order (as far as the clock does).
        fields = {"at": timezone.now(), "kind": kind, "actor": actor, "subject": subject,
                  "subject_seq": (row[0] if row else 0) + 1, "data": data, "salt": chain.salt_new()}
        digest = chain.entry_hash(**fields, prev=head.last_hash)
        insert = (f"INSERT INTO {_ENTRY} (at, kind, actor, subject, subject_seq, data, salt, prev_hash, hash)"
                  " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
        params = [connection.ops.adapt_datetimefield_value(fields["at"]), kind, actor, subject,
                  fields["subject_seq"], _DATA.get_db_prep_save(data, connection), fields["salt"],
                  head.last_hash, digest]
        if connection.features.can_return_columns_from_insert:
            cursor.execute(insert + " RETURNING id", params)
            entry_id = cursor.fetchone()[0]
        else:
            cursor.execute(insert, params)
            entry_id = cursor.lastrowid
        cursor.execute(f"UPDATE {_HEAD} SET last_id = %s, last_hash = %s, count = count + 1 WHERE id = %s",
                       [entry_id, digest, AuditHead.ROW])
    entry = AuditEntry(id=entry_id, **fields, prev_hash=head.last_hash, hash=digest)
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


def _name_check(value: str, pattern: re.Pattern, max_length: int, field) -> None:
    if not isinstance(value, str) or len(value) > max_length or not pattern.fullmatch(value):
        raise AuditError(AuditErrorCode.NAME, _("Not a valid audit %(field)s: %(value)r."), field=field, value=value)


def _broadcast(group: str, event: dict) -> None:
    # The database is the source of truth: a client that misses this catches up from the chain by
    # seq, so a failing channel layer must not fail the (already committed) change.
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": "event.message", "event": event})
    except Exception:
        log.exception("broadcast of %s seq %s to %s failed", event["kind"], event["seq"], group)

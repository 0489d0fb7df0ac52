"""Writes of the monitoring app: signed checkpoints of the audit chain, its verification, extracts."""
import contextlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring import chain
from monitoring.chain import VerifyResult
from monitoring.events import head_lock
from monitoring.models import AuditEntry, AuditHead, Checkpoint
from trading.errors import PlatformError
from trading.selectors import lot_get_public
from trading.signing import public_key, sign

# Entries appended after the newest checkpoint can be forged by whoever holds database superuser
# rights; sealing at most this long after the head moves bounds that window (docs/audit.md).
CHECKPOINT_MAX_AGE = timedelta(seconds=60)
VERIFY_CHUNK = 2000
ENTRY_FIELDS = ("id", "at", "kind", "actor", "subject", "subject_seq", "data", "salt", "prev_hash", "hash")
# Only a lot's (or an auction's) own events are public; every other subject (registrations, bids,
# downloads, enquiries, objections, users) shows in an extract with its data withheld.
PUBLIC_SUBJECT = re.compile(r"(lot|auction):[1-9][0-9]*")


def audit_checkpoint(*, force: bool = False) -> int | None:
    """Seal the current head when ``PLATFORM_AUDIT_CHECKPOINT_EVERY`` entries came since the last
    checkpoint, or whenever the head moved if ``force``. Returns the sealed entry id, or None."""
    return _checkpoint_write(force=force, max_age=None)


def audit_checkpoint_sweep() -> int | None:
    """The timed sweep: checkpoint by count, and also once the last checkpoint is older than
    ``CHECKPOINT_MAX_AGE`` and the head has moved since, so the unsealed tail stays short."""
    return _checkpoint_write(force=False, max_age=CHECKPOINT_MAX_AGE)


def _checkpoint_write(*, force: bool, max_age: timedelta | None) -> int | None:
    # The head lock makes two sweeps (beat running late, or a sweep beside a forced call) see each
    # other's checkpoint instead of both sealing the same entry; it blocks appends only while signing.
    with transaction.atomic():
        head = head_lock()
        if head.last_id == 0:
            return None
        last = Checkpoint.objects.order_by("-entry").first()
        sealed_id = last.entry if last else 0
        if sealed_id >= head.last_id:
            return None
        now = timezone.now()
        if not force:
            every = settings.PLATFORM_AUDIT_CHECKPOINT_EVERY
            # Ids have gaps (rolled-back appends), so count rows, stopping at the threshold.
            by_count = AuditEntry.objects.filter(id__gt=sealed_id).order_by()[:every].count() >= every
            by_age = max_age is not None and (last is None or now - last.at >= max_age)
            if not (by_count or by_age):
                return None
        message = chain.checkpoint_message(platform_id=settings.PLATFORM_ID, entry_id=head.last_id,
                                           head_hash=head.last_hash)
        Checkpoint.objects.create(entry=head.last_id, head_hash=head.last_hash, signature=sign(message).hex(), at=now)
        return head.last_id


def audit_verify() -> VerifyResult:
    """Check the whole chain and every checkpoint under the platform's public key.

    Reads checkpoints, then the head, then entries up to that head: each checkpoint seals an entry
    at or before the head read after it, and each entry up to that head was committed before it, so
    concurrent appends neither show up half-way nor raise false alarms; they are left for next time.
    """
    with _streaming():
        checkpoints = list(
            Checkpoint.objects.order_by("entry").values_list("entry", "head_hash", "signature", named=True)
        )
        head = AuditHead.objects.filter(pk=AuditHead.ROW).values_list("last_id", "last_hash").first()
        entries = AuditEntry.objects.order_by("id")
        if head is not None:
            entries = entries.filter(id__lte=head[0])
        return chain.verify(
            entries.values_list(*ENTRY_FIELDS, named=True).iterator(chunk_size=VERIFY_CHUNK),
            checkpoints,
            public_key(),
            platform_id=settings.PLATFORM_ID,
            head=tuple(head) if head is not None else None,
        )


def audit_extract(*, subject: str) -> dict:
    """The public extract of a lot's (or an auction's) events, as ``docs/audit.md`` "Extracts" lays
    out: the chain from the subject's first entry to the first checkpoint at or after its last, with
    every other subject's data (and salt) replaced by its salted digest. Seals the head first when no
    checkpoint covers the subject's last entry yet, so an extract never waits for the sweep.

    Raises ``PlatformError`` ``subject_not_public`` (400) for any other subject, and ``not_found`` (404)
    for a lot the public may not see yet (draft or pending review, or no such lot: the two answer
    alike, as the lot's own page does) and when nothing was recorded for the subject.
    """
    if not PUBLIC_SUBJECT.fullmatch(subject):
        raise PlatformError("subject_not_public", _("Only the audit trail of a lot or an auction is public."))
    not_found = PlatformError("not_found", _("Nothing has been recorded for %(subject)s.") % {"subject": subject},
                              status=404)
    kind, _sep, number = subject.partition(":")
    # A lot's events (its draft, its review) are public only once the lot is. Auctions have no model
    # yet: their subject is accepted as it stands.
    if kind == "lot" and lot_get_public(lot_id=int(number)) is None:
        raise not_found
    # subject_seq follows chain order, so the (subject, subject_seq) index finds both ends at once.
    ids = AuditEntry.objects.filter(subject=subject).values_list("id", flat=True)
    first, last = ids.order_by("subject_seq").first(), ids.order_by("-subject_seq").first()
    if first is None:
        raise not_found
    sealing = Checkpoint.objects.filter(entry__gte=last).order_by("entry")
    checkpoint = sealing.first()
    if checkpoint is None:
        # A concurrent sweep may seal first and make this return None: either way a checkpoint now
        # covers ``last``.
        audit_checkpoint(force=True)
        checkpoint = sealing.first()
    with _streaming():
        rows = (AuditEntry.objects.filter(id__gte=first, id__lte=checkpoint.entry).order_by("id")
                .values_list(*ENTRY_FIELDS, named=True).iterator(chunk_size=VERIFY_CHUNK))
        entries = [_extract_entry(row, visible=row.subject == subject) for row in rows]
    return {
        "platform": settings.PLATFORM_ID,
        "entries": entries,
        "checkpoint": {"entry": checkpoint.entry, "head_hash": checkpoint.head_hash,
                       "signature": checkpoint.signature},
    }


def _extract_entry(row, *, visible: bool) -> dict:
    entry = {"id": row.id, "at": chain.time_format(at=row.at), "kind": row.kind, "actor": row.actor,
             "subject": row.subject, "subject_seq": row.subject_seq, "prev_hash": row.prev_hash, "hash": row.hash}
    if visible:
        entry["data"], entry["salt"] = row.data, row.salt
    else:
        # Never the salt: with it, the data could be confirmed by hashing guesses again.
        entry["data_sha256"] = chain.data_sha256(data=row.data, salt=row.salt)
        entry["redacted"] = True
    return entry


def _streaming():
    # On PostgreSQL a transaction lets the entries stream through a server-side cursor (outside one it
    # is declared WITH HOLD and materialised); on SQLite it would take the write lock for the whole walk.
    return transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()

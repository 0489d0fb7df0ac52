"""The audit chain: numbering, linkage, broadcast, the PostgreSQL guard, tampering found, checkpoints."""
import asyncio
import contextlib
import re
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from monitoring import chain, fanout
from monitoring.audit.services import audit_checkpoint, audit_checkpoint_sweep, audit_verify
from monitoring.chain import AuditError, AuditErrorCode, Reason
from monitoring.events import actor_of, record, record_many
from monitoring.models import AuditEntry, AuditHead, Checkpoint
from monitoring.selectors import audit_entries_for_subject, audit_status
from trading.signing import public_key

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the guard and tamper SQL are PostgreSQL's")
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.PLATFORM_SIGNING_KEY_FILE = tmp_path / "platform-signing-key.pem"


@contextlib.contextmanager
def triggers_bypassed():
    """What a forger in control of the database does: the tables' owner (the platform's own database
    role, as the tests sign in; a superuser could use replica mode instead) switches their triggers off."""
    with connection.cursor() as cursor:
        for table in ("monitoring_auditentry", "monitoring_checkpoint"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield cursor
        finally:
            for table in ("monitoring_auditentry", "monitoring_checkpoint"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def chain_of_six() -> list[AuditEntry]:
    plan = [("lot:1", "lot.published"), ("lot:2", "lot.published"), ("lot:1", "bid.submitted"),
            ("", "platform.started"), ("lot:1", "bid.submitted"), ("lot:2", "bid.submitted")]
    return [record(kind=kind, actor="user:12", subject=subject, data={"price": f"{100 + i}.50", "i": i})
            for i, (subject, kind) in enumerate(plan)]


def forged_entry(*, entry_id: int, after: AuditEntry, subject: str = "lot:99") -> None:
    """Insert a well-formed entry (correct own hash, linked to ``after``) with raw SQL."""
    fields = {"at": after.at + timedelta(microseconds=1), "kind": "bid.withdrawn", "actor": "user:13",
              "subject": subject, "subject_seq": 1, "data": {"reason": "forged"}, "salt": "ab" * 16}
    digest = chain.entry_hash(**fields, prev=after.hash)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitoring_auditentry"
            " (id, at, kind, actor, subject, subject_seq, data, salt, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)",
            [entry_id, fields["at"], fields["kind"], fields["actor"], fields["subject"], 1,
             '{"reason": "forged"}', fields["salt"], after.hash, digest],
        )


def test_canonical_form_is_byte_exact():
    at = datetime(2026, 3, 1, 16, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    fields = {"at": at, "kind": "bid.submitted", "actor": "user:12", "subject": "lot:7", "subject_seq": 3,
              "data": {"price": "1250000.00", "名称": "甲建设有限公司", "sealed": True, "note": None, "files": [1, 2]},
              "salt": "000102030405060708090a0b0c0d0e0f", "prev": chain.GENESIS_PREV}
    data_digest = "76bd0ed46f172b6593e80588609ec7e13067a3223dfb630e601611dfb062017e"
    assert chain.canonical_json({"data": fields["data"], "salt": fields["salt"]}) == (
        '{"data":{"files":[1,2],"note":null,"price":"1250000.00","sealed":true,"名称":"甲建设有限公司"},'
        '"salt":"000102030405060708090a0b0c0d0e0f"}'.encode("utf-8"))
    assert chain.data_sha256(data=fields["data"], salt=fields["salt"]) == data_digest
    expected = (
        '{"actor":"user:12","at":"2026-03-01T08:30:00.123456Z","data_sha256":"' + data_digest + '",'
        '"kind":"bid.submitted","prev":"' + "0" * 64 + '","subject":"lot:7","subject_seq":3}'
    ).encode("utf-8")
    assert chain.entry_canonical(**fields) == expected
    # The test vector published in docs/audit.md.
    assert chain.entry_hash(**fields) == "51baaffd9ab19fe77bb7c404accb7ffab4707b8f796165e4fd13b5e6180c0232"
    # The salt is part of the digest: another salt, another data_sha256 and another entry hash.
    assert chain.data_sha256(data=fields["data"], salt="0" * 32) != data_digest
    assert chain.entry_hash(**{**fields, "salt": "0" * 32}) != chain.entry_hash(**fields)


def test_salts_are_fresh_random_hex():
    salts = {chain.salt_new() for _ in range(100)}
    assert len(salts) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", salt) for salt in salts)


@pytest.mark.django_db
def test_record_numbers_each_subject_and_links_the_chain():
    entries = chain_of_six()
    assert [(e.subject, e.subject_seq) for e in entries] == [
        ("lot:1", 1), ("lot:2", 1), ("lot:1", 2), ("", 1), ("lot:1", 3), ("lot:2", 2)]
    assert entries[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:]))
    stored = AuditEntry.objects.get(pk=entries[2].pk)
    assert stored.salt == entries[2].salt and len(stored.salt) == 32
    assert len({e.salt for e in entries}) == 6, "every entry has its own salt"
    assert stored.hash == chain.entry_hash(at=stored.at, kind=stored.kind, actor=stored.actor, subject=stored.subject,
                                           subject_seq=stored.subject_seq, data=stored.data, salt=stored.salt,
                                           prev=stored.prev_hash)
    assert [e.subject_seq for e in audit_entries_for_subject("lot:1", after_seq=1)] == [2, 3]
    status = audit_status()
    assert (status.entries, status.head_id, status.head_hash) == (6, entries[-1].id, entries[-1].hash)
    assert status.unsealed
    result = audit_verify()
    assert result.ok and result.entries == 6, result


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "code"), [
    ({"price": 12.5}, AuditErrorCode.DATA_TYPE),
    ({"price": Decimal("12.50")}, AuditErrorCode.DATA_TYPE),
    ({"bids": [{"at": datetime(2026, 1, 1)}]}, AuditErrorCode.DATA_TYPE),
    ({1: "numeric key"}, AuditErrorCode.DATA_KEY),
    ({"name": "nul\x00byte"}, AuditErrorCode.DATA_STRING),
    ({"big": 2**60}, AuditErrorCode.DATA_INT),
    (["not", "an", "object"], AuditErrorCode.DATA_TYPE),
])
def test_record_refuses_what_would_not_hash_back_and_writes_nothing(data, code):
    with pytest.raises(AuditError) as error:
        record(kind="bid.submitted", actor="user:1", subject="lot:1", data=data)
    assert error.value.code == code
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("arguments", [
    {"kind": "Bid Submitted", "actor": "user:1", "subject": "lot:1"},
    {"kind": "bid.submitted", "actor": "", "subject": "lot:1"},
    {"kind": "bid.submitted", "actor": "user:1", "subject": "lot.1"},
    {"kind": "bid.submitted", "actor": "user:1", "subject": "x" * 91},
])
def test_record_refuses_names_that_cannot_address_a_group(arguments):
    with pytest.raises(AuditError) as error:
        record(**arguments)
    assert error.value.code == AuditErrorCode.NAME


def test_actor_of_names_the_signed_in_user_or_the_system():
    assert actor_of(SimpleNamespace(is_authenticated=True, pk=12)) == "user:12"
    assert actor_of(AnonymousUser()) == "system"
    assert actor_of(None) == "system"


@committed
def test_the_subject_group_hears_committed_events_only():
    layer = get_channel_layer()

    def changes():
        with pytest.raises(RuntimeError), transaction.atomic():
            record(kind="lot.drafted", actor="user:1", subject="lot:7", data={"note": "rolled back"})
            raise RuntimeError
        return record(kind="lot.published", actor="user:1", subject="lot:7", data={"price": "10.00"})

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("subject.lot.7", channel)
        entry = await sync_to_async(changes)()
        return entry, await asyncio.wait_for(layer.receive(channel), timeout=10)

    entry, message = async_to_sync(scenario)()
    assert message == {"type": "room.events", "group": "subject.lot.7", "events": [{
        "seq": 1, "at": chain.time_format(at=entry.at), "kind": "lot.published", "actor": "user:1",
        "subject": "lot:7", "data": {"price": "10.00"}}]}


@committed
def test_record_many_appends_in_order_with_consecutive_ids_and_a_sound_chain():
    record(kind="lot.created", actor="user:1", subject="lot:9")
    entries = record_many(events=[{"kind": "opening.bid_opened", "actor": "user:2", "subject": "lot:9",
                                   "data": {"n": n}} for n in range(5)]
                          + [{"kind": "session.started", "actor": "user:2", "subject": "centre"}])
    stored = list(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk"))
    assert [e.pk for e in stored] == [e.pk for e in entries] == list(range(entries[0].pk, entries[0].pk + 6))
    assert [(e.subject, e.subject_seq) for e in stored] == [("lot:9", n) for n in range(2, 7)] + [("centre", 1)]
    assert AuditHead.objects.get().last_id == entries[-1].pk
    assert audit_verify().ok


@committed
def test_a_failing_channel_layer_does_not_undo_the_change(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis went away")

    monkeypatch.setattr("monitoring.fanout.get_channel_layer", Broken)
    entry = record(kind="lot.published", actor="user:1", subject="lot:8")
    assert fanout.flush()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert "sending room.events to subject.lot.8 failed" in caplog.text


@postgres_only
@committed
def test_postgres_refuses_update_delete_and_truncate():
    entries = chain_of_six()
    audit_checkpoint(force=True)
    entry = AuditEntry.objects.get(pk=entries[0].pk)
    refusals = {
        "UPDATE": [lambda: AuditEntry.objects.filter(pk=entry.pk).update(kind="lot.withdrawn"),
                   lambda: connection.cursor().execute("UPDATE monitoring_auditentry SET actor = 'user:13'")],
        "DELETE": [entry.delete, lambda: AuditEntry.objects.all().delete(),
                   lambda: connection.cursor().execute("DELETE FROM monitoring_auditentry")],
    }
    for operation, attempts in refusals.items():
        for attempt in attempts:
            with pytest.raises(IntegrityError, match=f"monitoring_auditentry is append-only: {operation} refused"):
                attempt()
    with pytest.raises(IntegrityError, match="monitoring_checkpoint is append-only: UPDATE refused"):
        Checkpoint.objects.update(head_hash="0" * 64)
    with pytest.raises(IntegrityError, match="monitoring_checkpoint is append-only: DELETE refused"):
        Checkpoint.objects.all().delete()
    # The test harness lets Django's flush TRUNCATE; without that setting (as in production) it is refused.
    with pytest.raises(IntegrityError, match="monitoring_auditentry is append-only: TRUNCATE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL platform.allow_truncate = 'off'")
            cursor.execute("TRUNCATE monitoring_auditentry")
    assert audit_verify().ok and AuditEntry.objects.count() == 6


@postgres_only
@committed
def test_an_altered_row_is_found_at_that_entry():
    entries = chain_of_six()
    with triggers_bypassed() as cursor:
        cursor.execute("""UPDATE monitoring_auditentry SET data = '{"price": "1.00", "i": 2}' WHERE id = %s""",
                       [entries[2].id])
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, entries[2].id, Reason.ALTERED)


@postgres_only
@committed
def test_a_changed_salt_is_found_at_that_entry():
    entries = chain_of_six()
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE monitoring_auditentry SET salt = %s WHERE id = %s", ["0" * 32, entries[1].id])
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, entries[1].id, Reason.ALTERED)


@postgres_only
@committed
def test_a_deleted_row_is_found_at_the_next_entry():
    entries = chain_of_six()
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM monitoring_auditentry WHERE id = %s", [entries[3].id])
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, entries[4].id, Reason.MISSING_PREDECESSOR)


@postgres_only
@committed
def test_a_row_inserted_in_the_middle_is_found_even_after_renumbering():
    entries = chain_of_six()
    after = entries[2]
    with triggers_bypassed() as cursor:
        # Make room after entries[2] by moving later rows up one id (in two steps: the primary key is
        # checked row by row), then insert the forgery at the freed id and move the head along.
        cursor.execute("UPDATE monitoring_auditentry SET id = -id WHERE id > %s", [after.id])
        cursor.execute("UPDATE monitoring_auditentry SET id = 1 - id WHERE id < 0")
        forged_entry(entry_id=after.id + 1, after=after)
        cursor.execute("UPDATE monitoring_audithead SET last_id = last_id + 1")
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, after.id + 1, Reason.INSERTED)


@postgres_only
@committed
def test_a_row_inserted_at_a_free_id_is_found():
    before = record(kind="lot.published", actor="user:1", subject="lot:1")
    with pytest.raises(RuntimeError), transaction.atomic():
        free_id = record(kind="lot.published", actor="user:1", subject="lot:2").id
        raise RuntimeError("rolled back: its id stays unused")
    record(kind="lot.published", actor="user:1", subject="lot:3")
    assert audit_verify().ok
    forged_entry(entry_id=free_id, after=before)
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, free_id, Reason.INSERTED)


@postgres_only
@committed
def test_a_rewritten_and_rehashed_chain_is_caught_by_its_checkpoint():
    entries = chain_of_six()
    sealed = audit_checkpoint(force=True)
    prev = entries[1].hash
    with triggers_bypassed() as cursor:
        for entry in entries[2:]:
            stored = AuditEntry.objects.get(pk=entry.pk)
            data = {**stored.data, "price": "1.00"}
            digest = chain.entry_hash(at=stored.at, kind=stored.kind, actor=stored.actor, subject=stored.subject,
                                      subject_seq=stored.subject_seq, data=data, salt=stored.salt, prev=prev)
            cursor.execute("UPDATE monitoring_auditentry SET data = %s::jsonb, prev_hash = %s, hash = %s WHERE id = %s",
                           ['{"price": "1.00", "i": %d}' % stored.data["i"], prev, digest, entry.id])
            prev = digest
        cursor.execute("UPDATE monitoring_audithead SET last_hash = %s", [prev])
    rows = AuditEntry.objects.order_by("id")
    assert chain.verify(rows, [], public_key(), platform_id=settings.PLATFORM_ID).ok, "linkage alone cannot see it"
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, sealed, Reason.CHECKPOINT_MISMATCH)


@postgres_only
@committed
def test_a_checkpoint_signed_by_another_key_is_found():
    entries = chain_of_six()
    forger = Ed25519PrivateKey.generate()
    message = chain.checkpoint_message(platform_id=settings.PLATFORM_ID, entry_id=entries[3].id,
                                       head_hash=entries[3].hash)
    # Appending needs no bypass: the forger only adds a row.
    Checkpoint.objects.create(entry=entries[3].id, head_hash=entries[3].hash, signature=forger.sign(message).hex(),
                              at=entries[3].at)
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, entries[3].id, Reason.CHECKPOINT_SIGNATURE)


@postgres_only
@committed
def test_a_deleted_tail_is_found_by_the_head_or_the_checkpoint():
    entries = chain_of_six()
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM monitoring_auditentry WHERE id = %s", [entries[5].id])
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, entries[5].id, Reason.HEAD_MISMATCH)
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE monitoring_audithead SET last_id = %s, last_hash = %s", [entries[4].id, entries[4].hash])
    assert audit_verify().ok, "a forger who rewinds the head too is caught only by a checkpoint"

    sealed = audit_checkpoint(force=True)
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM monitoring_auditentry WHERE id = %s", [sealed])
        cursor.execute("UPDATE monitoring_audithead SET last_id = %s, last_hash = %s", [entries[3].id, entries[3].hash])
    result = audit_verify()
    assert (result.ok, result.entry_id, result.reason) == (False, sealed, Reason.CHECKPOINT_ORPHAN)


def test_subject_seq_gaps_and_repeats_are_found():
    def entries(seqs):
        prev, rows = chain.GENESIS_PREV, []
        for number, seq in enumerate(seqs, start=1):
            fields = {"at": datetime(2026, 1, 1, tzinfo=timezone.utc), "kind": "bid.submitted", "actor": "user:1",
                      "subject": "lot:1", "subject_seq": seq, "data": {}, "salt": f"{number:032x}"}
            digest = chain.entry_hash(**fields, prev=prev)
            rows.append(SimpleNamespace(id=number, **fields, prev_hash=prev, hash=digest))
            prev = digest
        return rows

    key = Ed25519PrivateKey.generate().public_key()
    assert chain.verify(entries([1, 2, 3]), [], key, platform_id="p").ok
    gap = chain.verify(entries([1, 2, 4]), [], key, platform_id="p")
    assert (gap.entry_id, gap.reason) == (3, Reason.SEQ_GAP)
    repeat = chain.verify(entries([1, 2, 2]), [], key, platform_id="p")
    assert (repeat.entry_id, repeat.reason) == (3, Reason.SEQ_REPEATED)


@postgres_only
@committed
def test_verify_audit_command_reports_ok_or_the_first_bad_entry(capsys):
    entries = chain_of_six()
    audit_checkpoint(force=True)
    call_command("verify_audit")
    assert capsys.readouterr().out.strip() == "ok 6 entries, 1 checkpoints"
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE monitoring_auditentry SET actor = 'user:13' WHERE id = %s", [entries[1].id])
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit")
    assert exit_.value.code == 1
    assert capsys.readouterr().err.startswith(f"bad entry {entries[1].id}: altered")


@pytest.mark.django_db
def test_checkpoints_come_every_n_entries_or_on_demand(settings):
    settings.PLATFORM_AUDIT_CHECKPOINT_EVERY = 5
    assert audit_checkpoint(force=True) is None, "nothing to seal in an empty chain"
    entries = [record(kind="bid.submitted", actor="user:1", subject="lot:1") for _ in range(4)]
    assert audit_checkpoint() is None
    entries.append(record(kind="bid.submitted", actor="user:1", subject="lot:1"))
    assert audit_checkpoint() == entries[-1].id
    checkpoint = Checkpoint.objects.get()
    public_key().verify(bytes.fromhex(checkpoint.signature), chain.checkpoint_message(
        platform_id=settings.PLATFORM_ID, entry_id=entries[-1].id, head_hash=entries[-1].hash))
    assert audit_checkpoint(force=True) is None, "the head has not moved"
    latest = record(kind="bid.submitted", actor="user:1", subject="lot:1")
    assert audit_checkpoint() is None
    assert audit_checkpoint(force=True) == latest.id
    assert audit_status().last_checkpoint.entry == latest.id and not audit_status().unsealed


@pytest.mark.django_db
def test_the_sweep_seals_a_moved_head_within_a_minute(settings):
    settings.PLATFORM_AUDIT_CHECKPOINT_EVERY = 1000
    first = record(kind="lot.published", actor="user:1", subject="lot:1")
    assert audit_checkpoint_sweep() == first.id, "no checkpoint yet: the first sweep seals at once"
    latest = record(kind="bid.submitted", actor="user:1", subject="lot:1")
    assert audit_checkpoint_sweep() is None, "the last checkpoint is fresh"
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=61), tick=False):
        assert audit_checkpoint_sweep() == latest.id
        assert audit_checkpoint_sweep() is None, "the head has not moved since"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite's in-memory test database locks its shared cache without waiting")
@committed
def test_concurrent_appends_make_one_gap_free_chain():
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)
    failures = []

    def append(number: int):
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(kind="bid.submitted", actor=f"user:{number}", subject=f"lot:{i % 3}",
                           data={"thread": number, "i": i})
                    record(kind="bidder.active", actor=f"user:{number}", subject=f"bidder:{number}")
        except Exception as error:  # reported by the assertion below, with the thread's number
            failures.append((number, error))
        finally:
            connection.close()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    result = audit_verify()
    assert result.ok and result.entries == 2 * threads * per_thread, result
    for subject in [f"lot:{i}" for i in range(3)] + [f"bidder:{n}" for n in range(threads)]:
        seqs = list(AuditEntry.objects.filter(subject=subject).order_by("id").values_list("subject_seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
    assert AuditHead.objects.get().count == 2 * threads * per_thread

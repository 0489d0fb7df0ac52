"""A lot's audit extract: other subjects' data withheld behind a salted digest, every hash still
checked, the verifier an outsider runs (no Django) accepts it, and a lot not yet public has none."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bidding.verify import VerifyError, audit_extract_verify
from monitoring import chain
from monitoring.audit.services import audit_extract
from monitoring.events import record
from monitoring.models import AuditEntry, Checkpoint
from trading.services.lots import lot_publish, lot_submit
from trading.signing import public_key, public_key_pem

ROOT = Path(__file__).resolve().parents[3]
ORGANISATION = "丙建设集团有限公司"
ACTOR = "user:1"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="extracts are served from PostgreSQL"),
]


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.PLATFORM_SIGNING_KEY_FILE = tmp_path / "platform-signing-key.pem"


@pytest.fixture
def public_lot(make_lot):
    """A lot taken through review to published: its history starts with lot.created."""
    lot = make_lot("construction")
    lot_submit(lot_id=lot.pk, actor=ACTOR)
    lot_publish(lot_id=lot.pk, title="招标公告", body="原文", actor=ACTOR)
    return lot


def lot_history(lot):
    """The lot's own events so far, then a published one, a secret registration and a closing one.

    The project's creation comes before the lot's first event and stays out of the extract."""
    subject = f"lot:{lot.pk}"
    earlier = list(AuditEntry.objects.filter(subject=subject).order_by("id"))
    published = record(kind="lot.noted", actor=ACTOR, subject=subject, data={"title": "地块 A"})
    registered = record(kind="registration.created", actor="user:5", subject="registration:5",
                        data={"lot": lot.pk, "organisation": ORGANISATION, "status": "approved"})
    closed = record(kind="lot.noted", actor="system", subject=subject, data={"to": "closed"})
    return earlier, published, registered, closed


def between(first_id: int, last_id: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gte=first_id, id__lte=last_id).order_by("id"))


def test_the_lot_extract_withholds_the_registration_and_verifies(public_lot, tmp_path):
    earlier, published, registered, closed = lot_history(public_lot)
    subject = f"lot:{public_lot.pk}"
    extract = audit_extract(subject=subject)

    stored = between(earlier[0].id, closed.id)
    assert [entry["id"] for entry in extract["entries"]] == [entry.id for entry in stored]
    assert {published.id, registered.id, closed.id} <= {entry["id"] for entry in extract["entries"]}
    assert extract["checkpoint"]["entry"] == closed.id, "the head was sealed for the extract"
    by_id = {entry["id"]: entry for entry in extract["entries"]}
    for row in stored:
        entry = by_id[row.id]
        if row.subject == subject:
            assert (entry["data"], entry["salt"]) == (row.data, row.salt)
            assert "data_sha256" not in entry and "redacted" not in entry
        else:
            assert entry["redacted"] is True and "data" not in entry and "salt" not in entry
            assert entry["data_sha256"] == chain.data_sha256(data=row.data, salt=row.salt)
    assert by_id[published.id]["data"] == {"title": "地块 A"} and by_id[closed.id]["data"] == {"to": "closed"}
    assert ORGANISATION not in json.dumps(extract, ensure_ascii=False)
    assert audit_extract_verify(extract=extract, public_key=public_key()) == len(stored)

    key_path = tmp_path / "platform-key.pem"
    key_path.write_bytes(public_key_pem())
    extract_path = tmp_path / "audit-lot.json"
    extract_path.write_text(json.dumps(extract, ensure_ascii=False), encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-m", "bidding.verify", "audit", str(extract_path), "--key",
                             str(key_path)], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (
        0, f"ok {len(stored)} entries sealed by their checkpoint"), result.stderr

    withheld = by_id[registered.id]
    withheld["data_sha256"] = "0" * 64
    with pytest.raises(VerifyError, match=f"entry {registered.id}: altered"):
        audit_extract_verify(extract=extract, public_key=public_key())


def test_identical_withheld_data_gives_unrelated_digests_and_no_salt_leaves(public_lot):
    """The guessing attack of docs/audit.md "What redaction hides": a registration's data is
    {lot, organisation id, status}, a handful of candidates; only the per-entry salt defeats it."""
    subject = f"lot:{public_lot.pk}"
    data = {"lot": public_lot.pk, "organisation": 3, "status": "approved"}
    first = record(kind="registration.created", actor="user:5", subject="registration:5", data=data)
    second = record(kind="registration.created", actor="user:6", subject="registration:6", data=data)
    record(kind="lot.noted", actor=ACTOR, subject=subject, data={"to": "closed"})
    extract = audit_extract(subject=subject)
    text = json.dumps(extract, ensure_ascii=False)
    by_id = {entry["id"]: entry for entry in extract["entries"]}
    one, two = by_id[first.id], by_id[second.id]
    assert one["redacted"] is True and two["redacted"] is True
    assert first.salt != second.salt
    assert one["data_sha256"] != two["data_sha256"], "same data, different salts, unrelated digests"
    assert one["data_sha256"] == chain.data_sha256(data=data, salt=first.salt)
    # Hashing every candidate without the salt (the old, unsalted digest included) confirms nothing.
    guesses = {hashlib.sha256(chain.canonical_json({**data, "organisation": organisation})).hexdigest()
               for organisation in range(1000)}
    guesses |= {chain.data_sha256(data={**data, "organisation": organisation}, salt="")
                for organisation in range(1000)}
    assert not guesses & {one["data_sha256"], two["data_sha256"]}
    # No redacted entry's salt appears anywhere in the file; every visible entry's does.
    for row in between(extract["entries"][0]["id"], extract["checkpoint"]["entry"]):
        if row.subject == subject:
            assert by_id[row.id]["salt"] == row.salt
        else:
            assert row.salt not in text, f"entry {row.id}'s salt leaked"
    assert audit_extract_verify(extract=extract, public_key=public_key()) == len(extract["entries"])


def test_an_existing_checkpoint_is_reused_and_later_entries_stay_out(public_lot):
    lot_history(public_lot)
    subject = f"lot:{public_lot.pk}"
    first = audit_extract(subject=subject)
    later = record(kind="registration.created", actor="user:6", subject="registration:6", data={"lot": 2})
    second = audit_extract(subject=subject)
    assert second == first
    assert Checkpoint.objects.count() == 1
    assert later.id not in [entry["id"] for entry in second["entries"]]


def test_a_lot_not_yet_public_has_no_extract(make_lot, client):
    """A draft or a lot awaiting review has events (its creation, its submission), but they are as
    invisible as the lot's page: 404, worded like a lot that does not exist."""
    draft = make_lot("construction")
    pending = make_lot("construction")
    lot_submit(lot_id=pending.pk, actor=ACTOR)
    for lot in (draft, pending):
        subject = f"lot:{lot.pk}"
        assert AuditEntry.objects.filter(subject=subject).exists()
        response = client.get("/api/v1/audit/extract/", {"subject": subject})
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), lot.status
        assert response.json()["detail"] == client.get(
            "/api/v1/audit/extract/", {"subject": "lot:999999"}).json()["detail"].replace("999999", str(lot.pk))
    assert not Checkpoint.objects.exists(), "a refused extract seals nothing"
    lot_publish(lot_id=pending.pk, title="招标公告", body="原文", actor=ACTOR)
    assert client.get("/api/v1/audit/extract/", {"subject": f"lot:{pending.pk}"}).status_code == 200


def test_the_api_serves_a_lot_extract_as_a_file_and_refuses_other_subjects(public_lot, client):
    lot_history(public_lot)
    subject = f"lot:{public_lot.pk}"
    response = client.get("/api/v1/audit/extract/", {"subject": subject})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="audit-lot-{public_lot.pk}.json"'
    assert ORGANISATION not in response.content.decode("utf-8")
    assert audit_extract_verify(extract=response.json(), public_key=public_key()) == len(response.json()["entries"])

    for refused_subject in ("registration:5", "bid:1", "lot:1:x", "lot:", ""):
        refused = client.get("/api/v1/audit/extract/", {"subject": refused_subject})
        assert (refused.status_code, refused.json()["code"]) == (400, "subject_not_public"), refused_subject
    for missing_subject in ("lot:404404", "lot:99999999999999999999999", "auction:404"):
        missing = client.get("/api/v1/audit/extract/", {"subject": missing_subject})
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found"), missing_subject


def test_an_auction_subject_is_still_accepted():
    # No auction model yet: its subject is public as it stands.
    entry = record(kind="auction.started", actor="system", subject="auction:5", data={"round": 1})
    extract = audit_extract(subject="auction:5")
    assert [e["id"] for e in extract["entries"]] == [entry.id]
    assert extract["entries"][0]["salt"] == entry.salt
    assert audit_extract_verify(extract=extract, public_key=public_key()) == 1

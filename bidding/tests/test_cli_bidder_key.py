"""``python -m bidding.seal keygen``, ``seal --v2``, ``prove`` and ``unlock`` as a bidder runs them: in a
fresh process with Django unimportable. The key is registered and checked through the platform's API."""
import io
import json
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from bidding.crypto import bidder_key, envelope_v2 as v2
from bidding.crypto.canonical import b64url_decode
from bidding.crypto.opening_key import opening_key_create, private_key_rebuild, public_key_load
from bidding.sealed.models import BidderKey
from bidding.tests.test_cli import no_django, run  # noqa: F401 (no_django is a fixture)
from trading.services.registrations import registration_create

PASSPHRASE = "a passphrase typed at the terminal"


@pytest.fixture
def passphrase_file(tmp_path):
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def keygen(no_django, tmp_path, passphrase_file):
    path = tmp_path / "bidder-key.json"
    result = run(no_django, "-m", "bidding.seal", "keygen", "--out", str(path), "--passphrase-file", str(passphrase_file))
    assert result.returncode == 0, result.stderr
    return path, result


def test_keygen_seal_v2_and_unlock_round_trip(no_django, tmp_path, passphrase_file):
    key_path, made = keygen(no_django, tmp_path, passphrase_file)
    key_file = bidder_key.key_file_parse(key_path.read_bytes())
    assert key_file.fingerprint in made.stdout
    assert (key_path.stat().st_mode & 0o077) == 0  # readable by its owner only
    again = run(no_django, "-m", "bidding.seal", "keygen", "--out", str(key_path), "--passphrase-file",
                str(passphrase_file))
    assert again.returncode == 1 and "never overwritten" in again.stderr
    assert bidder_key.key_file_parse(key_path.read_bytes()).fingerprint == key_file.fingerprint

    scalar, public = opening_key_create()
    lot_key = private_key_rebuild(scalar, expected_public_raw=public)
    lot_pem = tmp_path / "opening-public.pem"
    lot_pem.write_bytes(public_key_load(public).public_bytes(serialization.Encoding.PEM,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "技术标.pdf").write_bytes(b"%PDF " * 20_000)
    names = {"platform": "cn-demo-ggzy", "lot": "7", "bidder": "91310000MA1FL0000X"}
    sealed = run(no_django, "-m", "bidding.seal", "seal", "--v2", "--bidder-key", str(key_path), "--key", str(lot_pem),
                 "--platform", names["platform"], "--lot", names["lot"], "--bidder", names["bidder"],
                 "--price", "990000.00", "--period-days", "120", str(tmp_path / "技术标.pdf"),
                 "-o", str(tmp_path / "bid.pbe"))
    assert sealed.returncode == 0, sealed.stderr
    envelope = (tmp_path / "bid.pbe").read_bytes()
    assert envelope[:4] == b"PBE2"

    unlocked = run(no_django, "-m", "bidding.seal", "unlock", "--bidder-key", str(key_path), "--passphrase-file",
                   str(passphrase_file), str(tmp_path / "bid.pbe"))
    assert unlocked.returncode == 0, unlocked.stderr
    part = b64url_decode(unlocked.stdout.strip())
    opened = v2.open_envelope_v2(stream=io.BytesIO(envelope), private_key=lot_key, bidder_part=part,
                                 bidder_key=key_file.fingerprint, envelope_sha256=sealed.stdout.strip(), **names)
    assert opened.price_form == {"price": "990000.00", "period_days": 120, "items": {}}
    assert [(f.name, f.size) for f in opened.files] == [("技术标.pdf", 100_000)]

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n")
    refused = run(no_django, "-m", "bidding.seal", "unlock", "--bidder-key", str(key_path), "--passphrase-file",
                  str(wrong), str(tmp_path / "bid.pbe"))
    assert refused.returncode == 1 and "passphrase" in refused.stderr and not refused.stdout
    # --v2 needs the key, and the first form of the command (no subcommand) still seals v1.
    assert run(no_django, "-m", "bidding.seal", "--v2", "--key", str(lot_pem), "--platform", "p", "--lot", "7",
               "--bidder", "b", "--price", "1", "--period-days", "1", "-o", str(tmp_path / "x.pbe")).returncode == 2


@pytest.mark.django_db
def test_a_key_made_at_the_terminal_is_registered_and_proved(no_django, tmp_path, passphrase_file, make_lot,
                                                            publish_sealed, bidder_a):
    key_path, _ = keygen(no_django, tmp_path, passphrase_file)
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    client = APIClient()
    client.force_authenticate(bidder_a)
    response = client.post(reverse("api-bidder-key", args=[registration.pk]),
                           {"key_file": key_path.read_text(encoding="utf-8")}, format="json")
    assert response.status_code == 201, response.json()
    issued = client.post(reverse("api-bidder-key-challenge", args=[registration.pk])).json()
    assert issued["platform"] == settings.PLATFORM_ID
    challenge_path = tmp_path / "key-check.json"
    challenge_path.write_text(json.dumps(issued), encoding="utf-8")

    result = run(no_django, "-m", "bidding.seal", "prove", "--bidder-key", str(key_path), "--challenge",
                 str(challenge_path), "--passphrase-file", str(passphrase_file), "--out", str(tmp_path / "answer.json"))
    assert result.returncode == 0, result.stderr
    answer = json.loads((tmp_path / "answer.json").read_text())
    response = client.post(reverse("api-bidder-key-proof", args=[registration.pk]), answer, format="json")
    assert response.status_code == 200, response.json()
    assert BidderKey.objects.get(registration=registration).proved

    # A wrong passphrase at the terminal answers nothing.
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n")
    issued = client.post(reverse("api-bidder-key-challenge", args=[registration.pk])).json()
    challenge_path.write_text(json.dumps(issued), encoding="utf-8")
    result = run(no_django, "-m", "bidding.seal", "prove", "--bidder-key", str(key_path), "--challenge",
                 str(challenge_path), "--passphrase-file", str(wrong))
    assert result.returncode == 1 and "passphrase" in result.stderr and not result.stdout

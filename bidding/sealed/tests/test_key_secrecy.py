"""After publication no opening key and no share is in clear anywhere: not in a full dump of the
database, not in the logs, not in the object store."""
import base64
import logging
import subprocess
from decimal import Decimal

import pytest
from django.db import connection

from bidding.crypto import opening_key as opening_key_crypto
from bidding.crypto import shamir

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _forms(secret: bytes) -> list[bytes]:
    """The ways a 32-byte secret could be written down."""
    return [secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret).rstrip(b"="),
            base64.urlsafe_b64encode(secret).rstrip(b"="), str(int.from_bytes(secret, "big")).encode()]


def test_no_key_or_share_in_clear_after_publication(make_lot, publish_sealed, monkeypatch, caplog):
    made, split = [], []
    real_create, real_split = opening_key_crypto.opening_key_create, shamir.split

    def spy_create():
        scalar, public = real_create()
        made.append(scalar)
        return scalar, public

    def spy_split(secret, k, n):
        shares = real_split(secret, k, n)
        split.extend(share for _, share in shares)
        return shares

    monkeypatch.setattr("bidding.sealed.services.keys.opening_key_crypto.opening_key_create", spy_create)
    monkeypatch.setattr("bidding.sealed.services.keys.shamir.split", spy_split)
    caplog.set_level(logging.DEBUG)
    publish_sealed(make_lot("construction", deposit=Decimal("0")))
    assert len(made) == 1 and len(split) == 3

    database = connection.settings_dict
    dump = subprocess.run(["pg_dump", "--data-only", "-h", database["HOST"] or "127.0.0.1", "-p",
                           str(database["PORT"] or 5432), "-U", database["USER"], database["NAME"]],
                          capture_output=True, check=True).stdout
    assert b"trading_lot" in dump and b"bidding_keyshare" in dump  # the dump is real
    logs = "\n".join(record.getMessage() for record in caplog.records).encode()
    for secret in made + split:
        for form in _forms(secret):
            assert form not in dump, "a key or share is in the database dump"
            assert form not in logs, "a key or share is in the logs"

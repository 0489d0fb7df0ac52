"""What every benchmark shares: a scratch PostgreSQL database of its own, and small helpers.

Imported by the bench_*.py scripts, which run with this folder first on sys.path.
"""
from urllib.parse import urlsplit, urlunsplit

import psycopg


def database_url(url: str, name: str) -> str:
    """``url`` (the server named by DATABASE_URL) pointing at database ``name`` instead."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def libpq_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def database_reset(server_url: str, name: str, *, create: bool) -> None:
    """Drop the scratch database ``name`` (forcing out its sessions) and, with ``create``, make it anew."""
    with psycopg.connect(libpq_url(database_url(server_url, "postgres")), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            admin.execute(f"CREATE DATABASE {name}")


def uscc(prefix8: str, serial: int) -> str:
    """A valid unified social credit code for made-up organisations."""
    from trading.validators import uscc_check_character

    body = f"{prefix8}MA{serial:07d}"
    return body + uscc_check_character(body)


def progress(text: str) -> None:
    print(text, flush=True)


def custodians_make(*, passphrase: str) -> list:
    """Three custodians with keys (centre staff, a supervisor, a regulator): a lawful 2-of-3 set."""
    from bidding.services.keys import custodian_key_create
    from trading.services import user_create

    people = [
        user_create(username="bench_custodian_staff", password="bench-password-1", roles=["custodian", "staff"],
                    actor="system:bench"),
        user_create(username="bench_custodian_supervisor", password="bench-password-1",
                    roles=["custodian", "supervisor"], actor="system:bench", resident_id="110105194912310038"),
        user_create(username="bench_custodian_regulator", password="bench-password-1",
                    roles=["custodian", "regulator"], actor="system:bench"),
    ]
    for person in people:
        custodian_key_create(user=person, passphrase=passphrase)
    return people

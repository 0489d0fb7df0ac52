"""The same `make run` in services mode: PostgreSQL, Redis and S3 named by the environment."""
import uuid

import psycopg
import pytest
import requests
from django.conf import settings

from tests.browsing import DEVICE_FIELDS, current_code
from tests.platform_process import make_run


@pytest.fixture
def scratch_database():
    """A database of its own for the server under test, on the tests' server as the tests' role,
    dropped afterwards."""
    name = f"platform_run_{uuid.uuid4().hex[:8]}"
    server = settings.DATABASES["default"]
    login = dict(host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"], password=server["PASSWORD"])
    admin = dict(login, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{login['user']}:{login['password']}@{login['host']}:{login['port']}/{name}"
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_make_run_in_services_mode(scratch_database, s3_server, tmp_path):
    services = dict(DATABASE_URL=scratch_database, REDIS_URL=settings.REDIS_URL, S3_ENDPOINT_URL=s3_server,
                    S3_ACCESS_KEY="testing", S3_SECRET_KEY="testing", S3_BUCKET=f"run-{uuid.uuid4().hex[:8]}",
                    S3_VERIFY_TLS="false", DJANGO_SECRET_KEY=uuid.uuid4().hex,
                    PLATFORM_BANK_HMAC_SECRET=uuid.uuid4().hex)
    with make_run(tmp_path, **services) as url:
        output = (tmp_path / "run.log").read_text()
        assert "postgresql" in output and "RedisPubSubChannelLayer" in output and s3_server in output
        assert "Celery beat" in output  # the sweeps are left to beat, not run in the web process
        credentials = {"username": "demo_staff", "password": "demo-staff-2026"}
        half = requests.post(f"{url}/api/v1/auth/token/", json=credentials)
        assert (half.status_code, half.json()["code"]) == (401, "second_factor_required")
        token = requests.post(f"{url}/api/v1/auth/token/",
                              json={**credentials, "otp": _code_of(scratch_database, "demo_staff")}).json()["token"]
        me = requests.get(f"{url}/api/v1/me/", headers={"Authorization": f"Token {token}"}).json()
        assert me["roles"] == ["staff"]
    with psycopg.connect(scratch_database.replace("postgres://", "postgresql://")) as connection:
        projects = connection.execute("SELECT count(*) FROM trading_project").fetchone()[0]
    assert projects == 10


def _code_of(database: str, username: str) -> str:
    """The current code of ``username``'s authenticator, read from the platform's database as the
    person's phone would compute it."""
    with psycopg.connect(database.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(
            f"SELECT {', '.join('d.' + field for field in DEVICE_FIELDS)} FROM otp_totp_totpdevice d"
            " JOIN trading_user u ON u.id = d.user_id WHERE u.username = %s AND d.confirmed", [username]).fetchone()
    return current_code(dict(zip(DEVICE_FIELDS, row)))

"""The same `make run` in services mode: PostgreSQL, Redis and S3 named by the environment."""
import uuid

import psycopg
import pytest
import requests
from django.conf import settings

from tests.platform_process import authenticator_code, make_run
from tests.platform_process import scratch_database as scratch_database_made


@pytest.fixture
def scratch_database():
    with scratch_database_made() as url:
        yield url


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
                              json={**credentials, "otp": authenticator_code(scratch_database, "demo_staff")}).json()["token"]
        me = requests.get(f"{url}/api/v1/me/", headers={"Authorization": f"Token {token}"}).json()
        assert me["roles"] == ["staff"]
    with psycopg.connect(scratch_database.replace("postgres://", "postgresql://")) as connection:
        projects = connection.execute("SELECT count(*) FROM trading_project").fetchone()[0]
    assert projects == 10


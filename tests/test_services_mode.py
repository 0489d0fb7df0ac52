"""The same `make run` in services mode: PostgreSQL, Redis and S3 named by the environment."""
import uuid

import psycopg
import pytest
import requests
from django.conf import settings

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
                    S3_VERIFY_TLS="false")
    with make_run(tmp_path, **services) as url:
        output = (tmp_path / "run.log").read_text()
        assert "postgresql" in output and "RedisPubSubChannelLayer" in output and s3_server in output
        assert "Celery beat" in output  # the sweeps are left to beat, not run in the web process
        token = requests.post(f"{url}/api/v1/auth/token/",
                              json={"username": "demo_staff", "password": "demo-staff-2026"}).json()["token"]
        me = requests.get(f"{url}/api/v1/me/", headers={"Authorization": f"Token {token}"}).json()
        assert me["roles"] == ["staff"]
    with psycopg.connect(scratch_database.replace("postgres://", "postgresql://")) as connection:
        projects = connection.execute("SELECT count(*) FROM trading_project").fetchone()[0]
    assert projects == 9

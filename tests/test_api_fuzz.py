"""Every operation of the live OpenAPI schema, fuzzed as every role (issue 22 §2).

`make run` in services mode (its own PostgreSQL database, Redis, the S3 endpoint) with the demo's
data; schemathesis reads the schema the server serves and generates requests for each operation,
valid and invalid, and each is sent as each role: the anonymous and the demo's bidder, staff,
custodian, expert, supervisor, regulator and security administrator, each with its API token (the
second factor given where the role needs it). What the fuzzing changes stays in the server's
database, as it would in a real platform under a hostile client.

Each response must be: no server error; a status the schema documents for the operation; the
documented content type and body schema; and a refusal (4xx) must be JSON ``{"code", "detail"}``
with a detail in the language asked for. ``FUZZ_EXAMPLES`` sets the examples per operation (the
default keeps `make test` within its time; the requests are that times the roles), ``FUZZ_RANDOM``
whether they are drawn anew (by default they are the same each run)."""
import os
import uuid

import pytest
import requests
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.platform_process import authenticator_code, make_run, scratch_database

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# The same examples on every run, so that CI fails only when the code or the schema changes what
# they meet; FUZZ_RANDOM=1 searches anew each run (by hand, with more FUZZ_EXAMPLES).
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"
ROLES = {"bidder": ("demo_bidder", "demo-bidder-2026"), "staff": ("demo_staff", "demo-staff-2026"),
         "custodian": ("demo_custodian", "demo-custodian-2026"), "expert": ("demo_expert", "demo-expert-2026"),
         "supervisor": ("demo_supervisor", "demo-supervisor-2026"),
         "regulator": ("demo_regulator", "demo-regulator-2026"), "security": ("demo_security", "demo-security-2026")}
# Chinese words any translated refusal of the platform has at least one of.
CHINESE = range(0x4E00, 0xA000)


@pytest.fixture(scope="module")
def fuzzed_platform(s3_server, tmp_path_factory):
    """The server, its base URL and each role's ``Authorization`` header."""
    with scratch_database("platform_fuzz") as database:
        services = dict(DATABASE_URL=database, REDIS_URL=settings.REDIS_URL, S3_ENDPOINT_URL=s3_server,
                        S3_ACCESS_KEY="testing", S3_SECRET_KEY="testing", S3_BUCKET=f"fuzz-{uuid.uuid4().hex[:8]}",
                        S3_VERIFY_TLS="false", DJANGO_SECRET_KEY=uuid.uuid4().hex,
                        PLATFORM_BANK_HMAC_SECRET=uuid.uuid4().hex)
        with make_run(tmp_path_factory.mktemp("fuzz"), **services) as url:
            headers = {"anonymous": {}}
            for role, (username, password) in ROLES.items():
                headers[role] = {"Authorization": f"Token {_token(url, database, username, password)}"}
            yield url, headers


def _token(url: str, database: str, username: str, password: str) -> str:
    credentials = {"username": username, "password": password}
    answer = requests.post(f"{url}/api/v1/auth/token/", json=credentials, timeout=30)
    if answer.status_code == 401:  # the second factor: the code the person's authenticator shows
        answer = requests.post(f"{url}/api/v1/auth/token/",
                               json={**credentials, "otp": authenticator_code(database, username)}, timeout=30)
    answer.raise_for_status()
    return answer.json()["token"]


def refusal_explained(ctx, response, case):
    """A refusal is JSON ``{"code", "detail"}``, its detail in the language asked for (Chinese here)."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    assert isinstance(body, dict) and body.get("code") and body.get("detail"), f"refusal without code and detail: {body}"
    assert any(ord(c) in CHINESE for c in str(body["detail"])), f"refusal not in the language asked for: {body}"
    return None


def test_every_operation_as_every_role(fuzzed_platform):
    url, headers = fuzzed_platform
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
              refusal_explained]
    failures = {}
    for result in schemathesis.openapi.from_url(f"{url}/api/schema/").get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck), database=None, derandomize=not RANDOM)
        def fuzz(case):
            for authorization in headers.values():
                case.call_and_validate(base_url=url, headers={**authorization, "Accept-Language": "zh-hans"},
                                       checks=checks, timeout=60)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - each operation's is gathered
            failures[operation.label] = str(failure)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in sorted(failures.items()))

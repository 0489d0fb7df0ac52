"""Secrets: the embedded mode makes its own and keeps them; services mode makes none up, and its
server and Celery processes refuse to start without them, naming what is missing."""
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.platform_process import SERVICE_VARIABLES, free_port

SECRETS = ("DJANGO_SECRET_KEY", "PLATFORM_BANK_HMAC_SECRET")
# Services mode by its variables alone: nothing listens there, and nothing may be reached before the
# refusal.
UNREACHABLE = {"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", "REDIS_URL": "redis://127.0.0.1:9/0"}


def _environment(var_dir, **variables) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES and k not in SECRETS}
    return {**environment, "PLATFORM_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings", **variables}


def _run(arguments, environment) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _settings_of(environment) -> list[str]:
    shown = _run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
                                        "print(s.PLATFORM_BANK_HMAC_SECRET); print(s.PLATFORM_SECRETS_MISSING)"],
                 environment)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.splitlines()


def test_the_embedded_mode_makes_its_bank_secret_once_and_keeps_it(tmp_path):
    environment = _environment(tmp_path)
    first, missing = _settings_of(environment)
    assert len(first) >= 40 and missing == "[]"
    kept = tmp_path / "bank-hmac-secret.txt"
    assert kept.read_text().strip() == first and kept.stat().st_mode & 0o777 == 0o600
    assert _settings_of(environment)[0] == first  # the next start signs with the same secret


def test_services_mode_makes_up_no_secret(tmp_path):
    secret, missing = _settings_of(_environment(tmp_path, **UNREACHABLE))
    assert secret == "None" and missing == str(list(SECRETS))
    assert not (tmp_path / "bank-hmac-secret.txt").exists()


@pytest.mark.parametrize("command", [
    ["manage.py", "runplatform", "--port", "{port}"],
    ["-m", "celery", "-A", "config", "worker", "--pool=solo"],
    ["-m", "celery", "-A", "config", "beat", "--schedule={var}/beat-schedule"],
], ids=["runplatform", "celery worker", "celery beat"])
def test_services_mode_refuses_to_start_without_its_secrets(tmp_path, command):
    arguments = [sys.executable, *(part.format(port=free_port(), var=tmp_path) for part in command)]
    given = {"PLATFORM_BANK_HMAC_SECRET": "a bank secret"}
    refused = _run(arguments, _environment(tmp_path, **UNREACHABLE, **given))
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY" in refused.stderr and "PLATFORM_BANK_HMAC_SECRET" not in refused.stderr
    refused = _run(arguments, _environment(tmp_path, **UNREACHABLE))
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY and PLATFORM_BANK_HMAC_SECRET" in refused.stderr

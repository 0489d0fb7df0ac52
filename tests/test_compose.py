"""docker-compose.yml must stay true to the settings: our services set only variables the settings
read, and every variable services mode requires."""
from pathlib import Path

import yaml
from django.conf import settings

from config import env

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


def _platform_services():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = {name: spec for name, spec in compose["services"].items() if "build" in spec}
    assert services, "no service builds the platform image"
    return compose, services


def test_compose_runs_the_topology_of_the_design():
    compose, services = _platform_services()
    for name in ("postgres", "redis", "minio", "nginx"):
        assert name in compose["services"]
    commands = {name: spec.get("command") for name, spec in services.items()}
    assert [n for n, c in commands.items() if c is None] == ["web1", "web2"], "two server processes (runplatform)"
    assert sum(1 for c in commands.values() if c and "worker" in c) == 1
    assert sum(1 for c in commands.values() if c and "beat" in c) == 1, "exactly one beat"


def test_compose_sets_only_variables_the_settings_read():
    _, services = _platform_services()
    for name, spec in services.items():
        unknown = set(spec["environment"]) - set(env.READ)
        assert not unknown, f"{name} sets variables the settings never read: {sorted(unknown)}"


def test_compose_sets_every_variable_services_mode_requires():
    _, services = _platform_services()
    required = {name for name, needed in env.READ.items() if needed}
    assert {"DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "DJANGO_SECRET_KEY"} <= required
    for name, spec in services.items():
        missing = required - set(spec["environment"])
        assert not missing, f"{name} misses required variables: {sorted(missing)}"


def test_nginx_passes_websocket_upgrades_to_both_server_processes():
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    assert "server web1:8000;" in conf and "server web2:8000;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf

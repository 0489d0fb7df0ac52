"""Production settings (issue 22 §5): Django's deployment check is clean with the environment
docker-compose.yml gives, every answer carries a Content Security Policy that allows no inline script
or style, and no template has either, so the policy never has to be loosened."""
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(path for root in ("templates", "trading", "bidding", "monitoring", "supervisors")
                   for path in (Path(settings.BASE_DIR) / root).rglob("*.html") if "templates" in path.parts)


def test_the_deployment_check_is_clean_with_production_settings():
    environment = {"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_HTTPS": "true",
                   "DJANGO_BEHIND_PROXY": "true", "DJANGO_ALLOWED_HOSTS": "ggzy.example.cn",
                   "DATABASE_URL": _database_url(),
                   "REDIS_URL": settings.REDIS_URL, "PLATFORM_VAR_DIR": str(settings.VAR_DIR),
                   "PLATFORM_LOAD_DEMO": "false", "PLATFORM_DEMO_CODES": "false"}
    checked = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                             cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def _database_url() -> str:
    server = settings.DATABASES["default"]
    return f"postgres://{server['USER']}:{server['PASSWORD']}@{server['HOST']}:{server['PORT'] or 5432}/postgres"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/lots/", "/login/", "/api/v1/lots/", "/api/docs/"])
def test_every_answer_carries_a_policy_without_inline_script_or_style(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_has_an_inline_script_style_or_handler(template):
    text = template.read_text()
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", text)
                      if "src=" not in tag and 'type="application/json"' not in tag]
    assert not inline_scripts, inline_scripts
    assert not re.search(r"<style\b", text)
    assert not re.search(r"\sstyle=\"", text)
    assert not re.search(r"\son[a-z]+=\"", text)


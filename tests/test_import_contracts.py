"""DESIGN §9 as import-linter contracts (pyproject.toml, [tool.importlinter]): they hold on the tree,
and an upward import written into a copy of it breaks them."""
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

APPS = ["trading", "bidding", "supervisors", "monitoring", "config"]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


def test_the_tree_keeps_every_contract():
    result = lint(Path(settings.BASE_DIR))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    base = Path(settings.BASE_DIR)
    for app in APPS:
        shutil.copytree(base / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "static", "templates",
                                                                                 "fonts", "migrations"))
    shutil.copy(base / "pyproject.toml", tmp_path)
    with open(tmp_path / "trading" / "selectors.py", "a") as selectors:
        selectors.write("\nfrom bidding.models import Bid  # noqa: E402,F401\n")

    result = lint(tmp_path)

    assert result.returncode == 1
    assert "App layers BROKEN" in result.stdout
    assert "trading.selectors -> bidding.models" in result.stdout

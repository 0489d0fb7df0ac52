"""Secrets made on first use for the embedded mode, kept in the var directory between runs."""
import secrets
from pathlib import Path


def local_secret(var_dir: Path, name: str) -> str:
    """The secret kept in ``var_dir / name``, made (random, readable by the owner only) on first use."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def local_secret_key(var_dir: Path) -> str:
    return local_secret(var_dir, "secret-key.txt")

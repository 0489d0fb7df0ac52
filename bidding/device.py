"""This machine's device fingerprint, for bids sealed with ``python -m bidding.seal`` and sent by hand:

    curl -X POST --data-binary @bid.pbe -H "Content-Type: application/octet-stream" \\
         -H "X-Device-Fingerprint: $(python -m bidding.device)" ... https://<platform>/api/v1/lots/7/bids/

The fingerprint is the SHA-256, in lowercase hex, of a random device id kept in the user's
configuration directory (``$XDG_CONFIG_HOME/platform-bidding/device-id``, else
``~/.config/platform-bidding/device-id``; made on first use, readable by the user only) and of
stable properties of the machine (operating system, architecture, host name). The browser's bid
page sends the same kind of value (``bidding/static/bidding/device.js``). The platform keeps it
with the bid for the integrity rules (docs/integrity.md) and never shows it to other bidders or
the public; a bid without one is accepted all the same. Needs only the standard library.
"""
import argparse
import hashlib
import os
import platform
import re
import secrets
import sys
from pathlib import Path

ID_FILE = Path("platform-bidding") / "device-id"
ID_FORM = re.compile(r"[0-9a-f]{32}")


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    return Path(base) if os.path.isabs(base) else Path.home() / ".config"


def device_id(directory: Path | None = None) -> str:
    """The device id kept in ``directory`` (default: the user's configuration directory), made on
    first use. A file that is not a well-formed id is replaced."""
    path = (directory or config_dir()) / ID_FILE
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        kept = ""
    if ID_FORM.fullmatch(kept):
        return kept
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    made = secrets.token_hex(16)
    # Written beside and renamed into place, so two runs at once never leave half an id.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(made + "\n")
    os.replace(temporary, path)
    return made


def device_fingerprint(directory: Path | None = None) -> str:
    properties = "|".join([platform.system(), platform.machine(), platform.node()])
    return hashlib.sha256(f"platform-device-v1|{device_id(directory)}|{properties}".encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bidding.device",
                                     description="Print this machine's device fingerprint (X-Device-Fingerprint).")
    parser.add_argument("--config-dir", type=Path, help="where the device id is kept (default: the user's config dir)")
    args = parser.parse_args(argv)
    try:
        print(device_fingerprint(args.config_dir))
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

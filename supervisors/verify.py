"""Check a supervisor's signed observation report with nothing but the platform's public key:

    python -m supervisors.verify report FILE --key platform-key.pem

FILE is the report as downloaded (``{"document": {...}, "signature": ...}``), the key the platform's
(``/.well-known/platform-key``). Prints ``ok ...`` and exits 0, or ``bad: ...`` on stderr and exits
1; 2 for a usage error (a missing file, an unreadable key). Standalone like ``bidding.verify``: it
imports only ``cryptography`` and ``bidding.crypto``, never Django or the platform.
"""
import argparse
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bidding.crypto.receipts import signed_verify

# supervisors.sessions.rules.REPORT_KIND, repeated here: importing it would import Django.
REPORT_KIND = "observation-report"


def report_verify(*, document: object, public_key: Ed25519PublicKey) -> str:
    """The one-line summary of a well-formed report signed by ``public_key``; raises ValueError."""
    body = signed_verify(signed=document, kind=REPORT_KIND, public_key=public_key)
    lot, supervisor = body.get("lot") or {}, body.get("supervisor") or {}
    verdict = "signed off" if body.get("signed_off") else f"not signed off ({body.get('refusal_reason')})"
    late = ", late" if body.get("late") else ""
    return (f"ok observation report of lot {lot.get('code')} ({body.get('session')}) by {supervisor.get('name')}, "
            f"submitted {body.get('submitted_at')}{late}: {verdict}, rating {body.get('rating')}/5, "
            f"{len(body.get('attachments') or [])} attachments")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m supervisors.verify",
                                     description="Check a social supervisor's signed observation report.")
    parser.add_argument("what", choices=("report",))
    parser.add_argument("file")
    parser.add_argument("--key", required=True, help="the platform's public key (PEM, /.well-known/platform-key)")
    args = parser.parse_args(argv)
    try:
        with open(args.key, "rb") as key_file:
            public_key = load_pem_public_key(key_file.read())
        with open(args.file, "rb") as document_file:
            raw = document_file.read()
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not isinstance(public_key, Ed25519PublicKey):
        print("error: the key is not an Ed25519 public key", file=sys.stderr)
        return 2
    try:
        document = json.loads(raw.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
        print(report_verify(document=document, public_key=public_key))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # SignatureError too
        print(f"bad: {error}", file=sys.stderr)
        return 1
    return 0


def _no_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer: no signed file holds one")


if __name__ == "__main__":
    sys.exit(main())

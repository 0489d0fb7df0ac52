"""Check a supervisor's signed observation report with nothing but the platform's public key:

    python -m supervisors.verify report FILE --key platform-key.pem

FILE is the report as downloaded (``{"document": {...}, "signature": ...}``), the key the platform's
(``/.well-known/platform-key``). Prints ``ok ...`` and exits 0, or ``bad: ...`` on stderr and exits
1; 2 for a usage error (a missing file, an unreadable key). Standalone like ``bidding.verify``: it
imports only ``cryptography``, ``bidding.crypto`` and ``bidding.verify`` (whose command line it
runs), never Django or the platform.
"""
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bidding.crypto.receipts import signed_verify
from bidding.verify import run

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
    return run(argv, prog="python -m supervisors.verify",
               description="Check a social supervisor's signed observation report.", kinds=("report",),
               check=lambda _what, document, public_key: report_verify(document=document, public_key=public_key))


if __name__ == "__main__":
    sys.exit(main())

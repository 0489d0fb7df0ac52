"""Check the platform's signed files with nothing but its public key:

    python -m bidding.verify receipt FILE --key platform-key.pem
    python -m bidding.verify opening FILE --key platform-key.pem
    python -m bidding.verify reserve FILE --key platform-key.pem
    python -m bidding.verify deal FILE --key platform-key.pem
    python -m bidding.verify report FILE --key platform-key.pem
    python -m bidding.verify notice FILE --key platform-key.pem
    python -m bidding.verify audit FILE --key platform-key.pem
    python -m bidding.verify archive FILE --key platform-key.pem
    python -m bidding.verify yearly FILE --key platform-key.pem

``opening`` takes the signed opening record (kind ``opening-record``) or the signed minutes of a
closed opening (kind ``opening-minutes``, ``docs/opening-hall.md``): for the minutes it also checks
the record inside them and every bidder's signed confirmation.

Prints ``ok ...`` and exits 0, or ``bad: ...`` on stderr and exits 1; 2 for a usage error (a
missing file, an unreadable key). Standalone on purpose: it imports only ``cryptography`` and the
``bidding.crypto`` modules, which import nothing of Django or the platform.
"""
import argparse
import hashlib
import json
import re
import sys
from collections import Counter

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bidding.crypto.archive import AUDIT_EXTRACT, archive_verify
from bidding.crypto.bidder_key import confirmation_document, signature_verify
from bidding.crypto.canonical import CanonicalError, b64url_decode, canonical_json, is_int
from bidding.crypto.envelope import point_valid
from bidding.crypto.receipts import SignatureError, receipt_verify, signed_verify

OPENING_KIND = "opening-record"
RESERVE_KIND = "reserve-record"  # a listing lot's revealed reserve
MINUTES_KIND = "opening-minutes"  # 开标记录: the record and everything the hall recorded around it
MINUTES_LISTS = ("check_ins", "releases", "pauses", "questions", "responses")
RESPONSE_KINDS = ("confirm", "deemed", "objection")
DEAL_KIND = "deal-confirmation"  # 成交确认书
REPORT_KIND = "evaluation-report"  # 评标报告
NOTICE_KINDS = ("award-notice", "result-notice")  # 中标（成交）通知书, 结果通知书
YEARLY_KIND = "yearly-report"  # 年度统计报告 (monitoring/statistics, docs/statistics.md)
ENTRY_KEYS = frozenset({"id", "at", "kind", "actor", "subject", "subject_seq", "prev_hash", "hash"})
# An extract entry shows its data and salt, or (another subject's, withheld) only their digest.
VISIBLE_KEYS = ENTRY_KEYS | {"data", "salt"}
REDACTED_KEYS = ENTRY_KEYS | {"data_sha256", "redacted"}
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")


class VerifyError(ValueError):
    """The file does not hold what its signature or hashes claim."""


def audit_data_sha256(data: object, salt: str) -> str:
    """Lowercase hex SHA-256 of the canonical JSON of ``{"data": data, "salt": salt}``."""
    return hashlib.sha256(canonical_json({"data": data, "salt": salt})).hexdigest()


def audit_entry_hash(entry: dict) -> str:
    """The entry's hash as ``docs/audit.md`` "Canonical form and hash" defines it, from its ``data``
    and ``salt`` or, for a redacted entry, from the ``data_sha256`` it carries instead."""
    document = {name: entry[name] for name in ("at", "kind", "actor", "subject", "subject_seq")}
    document["data_sha256"] = (audit_data_sha256(entry["data"], entry["salt"]) if "data" in entry
                               else entry["data_sha256"])
    document["prev"] = entry["prev_hash"]
    return hashlib.sha256(canonical_json(document)).hexdigest()


def audit_extract_verify(*, extract: object, public_key: Ed25519PublicKey) -> int:
    """Check an audit-chain extract (``docs/audit.md`` "Extracts"); return how many entries it holds."""
    if not isinstance(extract, dict) or extract.keys() != {"platform", "entries", "checkpoint"}:
        raise VerifyError("an extract has exactly the keys platform, entries and checkpoint")
    platform, entries, checkpoint = extract["platform"], extract["entries"], extract["checkpoint"]
    if not isinstance(platform, str) or not isinstance(entries, list) or not entries:
        raise VerifyError("platform is a string and entries a non-empty list")
    previous, seqs = None, {}
    for entry in entries:
        _entry_check(entry)
        label = f"entry {entry['id']}"
        try:
            if audit_entry_hash(entry) != entry["hash"]:
                raise VerifyError(f"{label}: altered (its content does not hash to its hash)")
        except CanonicalError as error:
            raise VerifyError(f"{label}: altered ({error})") from None
        if previous is not None:
            if entry["id"] <= previous["id"]:
                raise VerifyError(f"{label}: out of order")
            if entry["prev_hash"] != previous["hash"]:
                raise VerifyError(f"{label}: does not link to the entry before it (one was removed or slipped in)")
        # A subject's numbering is checked from its first appearance in the extract on.
        last_seq = seqs.get(entry["subject"])
        if last_seq is not None and entry["subject_seq"] != last_seq + 1:
            raise VerifyError(f"{label}: subject_seq {entry['subject_seq']} where {last_seq + 1} was due")
        seqs[entry["subject"]] = entry["subject_seq"]
        previous = entry
    if not isinstance(checkpoint, dict) or checkpoint.keys() != {"entry", "head_hash", "signature"}:
        raise VerifyError("the checkpoint has exactly the keys entry, head_hash and signature")
    if checkpoint["entry"] != previous["id"] or checkpoint["head_hash"] != previous["hash"]:
        raise VerifyError(f"entry {previous['id']}: the checkpoint does not seal the extract's last entry")
    if not isinstance(checkpoint["signature"], str) or not _HEX128.fullmatch(checkpoint["signature"]):
        raise VerifyError("the checkpoint signature is not 128 hex digits")
    message = f"platform-audit-checkpoint|{platform}|{checkpoint['entry']}|{checkpoint['head_hash']}"
    try:
        public_key.verify(bytes.fromhex(checkpoint["signature"]), message.encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise VerifyError(f"entry {previous['id']}: the checkpoint is not signed by this key for "
                          f"platform {platform!r}") from None
    return len(entries)


def _entry_check(entry: object) -> None:
    if not isinstance(entry, dict) or entry.keys() not in (VISIBLE_KEYS, REDACTED_KEYS):
        raise VerifyError(f"every entry has exactly the keys {sorted(VISIBLE_KEYS)}, or when redacted "
                          f"{sorted(REDACTED_KEYS)}")
    label = f"entry {entry['id']!r}"
    if not is_int(entry["id"], low=1) or not is_int(entry["subject_seq"], low=1):
        raise VerifyError(f"{label}: id and subject_seq are positive integers")
    if not all(isinstance(entry[name], str) for name in ("at", "kind", "actor", "subject")):
        raise VerifyError(f"{label}: at, kind, actor and subject are strings")
    if not _TIME.fullmatch(entry["at"]):
        raise VerifyError(f"{label}: at is YYYY-MM-DDTHH:MM:SS.ffffffZ")
    if "data" in entry and not isinstance(entry["data"], dict):
        raise VerifyError(f"{label}: data is an object")
    if "data" in entry and not (isinstance(entry["salt"], str) and _HEX32.fullmatch(entry["salt"])):
        raise VerifyError(f"{label}: salt is 32 lowercase hex digits")
    if "data" not in entry and (entry["redacted"] is not True or not isinstance(entry["data_sha256"], str)
                                or not _HEX64.fullmatch(entry["data_sha256"])):
        raise VerifyError(f"{label}: a redacted entry has redacted true and data_sha256 of 64 lowercase hex digits")
    if not all(isinstance(entry[name], str) and _HEX64.fullmatch(entry[name]) for name in ("prev_hash", "hash")):
        raise VerifyError(f"{label}: prev_hash and hash are 64 lowercase hex digits")


def main(argv: list[str] | None = None) -> int:
    return run(argv, prog="python -m bidding.verify",
               description="Check a receipt, an opening or reserve record, a deal confirmation, an evaluation "
                           "report, an award or result notice, an audit extract, a lot's archive, or a yearly report.",
               kinds=("receipt", "opening", "reserve", "deal", "report", "notice", "audit", "archive", "yearly"),
               check=_check,
               files=("archive",))


def run(argv: list[str] | None, *, prog: str, description: str, kinds: tuple[str, ...], check,
        files: tuple[str, ...] = ()) -> int:
    """The command line of a checker of signed files: ``WHAT FILE --key PEM``; ``check(what,
    document, public_key)`` returns the summary or raises ValueError. Exits 0 (``ok``), 1 (``bad``)
    or 2 (a usage error: a missing file, an unreadable or non-Ed25519 key). Other apps' checkers
    (``supervisors.verify``) run through it. The kinds in ``files`` are not JSON: their check gets
    the file's path and reads it itself."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("what", choices=kinds)
    parser.add_argument("file")
    parser.add_argument("--key", required=True, help="the platform's public key (PEM, /.well-known/platform-key)")
    args = parser.parse_args(argv)
    try:
        with open(args.key, "rb") as key_file:
            public_key = load_pem_public_key(key_file.read())
        with open(args.file, "rb") as document_file:
            raw = document_file.read() if args.what not in files else b""
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not isinstance(public_key, Ed25519PublicKey):
        print("error: the key is not an Ed25519 public key", file=sys.stderr)
        return 2
    try:
        document = args.file if args.what in files else json.loads(raw.decode("utf-8"), parse_float=_no_float,
                                                                    parse_constant=_no_float)
        print(check(args.what, document, public_key))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # VerifyError and SignatureError too
        print(f"bad: {error}", file=sys.stderr)
        return 1
    return 0


def _check(what: str, document: object, public_key: Ed25519PublicKey) -> str:
    if what == "receipt":
        receipt = receipt_verify(receipt_file=document, public_key=public_key)
        return (f"ok receipt {receipt['receipt']}: lot {receipt['lot']}, bidder {receipt['bidder']}, "
                f"envelope sha256 {receipt['envelope_sha256']} ({receipt['envelope_size']} bytes), "
                f"received {receipt['received_at']}")
    if what == "opening":
        if _kind_of(document) == MINUTES_KIND:
            return opening_minutes_verify(minutes=document, public_key=public_key)
        signed_verify(signed=document, kind=OPENING_KIND, public_key=public_key)
        return "ok opening record signed by this key"
    if what == "reserve":
        body = signed_verify(signed=document, kind=RESERVE_KIND, public_key=public_key)
        return f"ok reserve record of lot {body.get('lot')}: reserve {body.get('reserve')}"
    if what == "deal":
        body = signed_verify(signed=document, kind=DEAL_KIND, public_key=public_key)
        return (f"ok deal confirmation of lot {body.get('lot_code')}: {body.get('buyer')} "
                f"(bidder {body.get('bidder_number')}) at {body.get('price')} {body.get('currency')}")
    if what == "report":
        body = signed_verify(signed=document, kind=REPORT_KIND, public_key=public_key)
        return (f"ok evaluation report of lot {body.get('lot_code')}: {len(body.get('bids', []))} bids, "
                f"{len(body.get('candidates', []))} candidates")
    if what == "notice":
        kind = _kind_of(document)
        if kind not in NOTICE_KINDS:
            raise VerifyError("not an award or result notice")
        body = signed_verify(signed=document, kind=kind, public_key=public_key)
        return (f"ok {kind} of lot {body.get('lot_code')} to {body.get('to')}: winner {body.get('winner')} "
                f"at {body.get('price')} {body.get('currency')}")
    if what == "archive":
        return archive_file_verify(path=document, public_key=public_key)
    if what == "yearly":
        body = signed_verify(signed=document, kind=YEARLY_KIND, public_key=public_key)
        return (f"ok yearly report {body.get('year')} ({body.get('language')}) of {body.get('platform')}, "
                f"issued {body.get('issued_at')}: {len(body.get('paragraphs', []))} paragraphs")
    return f"ok {audit_extract_verify(extract=document, public_key=public_key)} entries sealed by their checkpoint"


def _kind_of(signed: object) -> object:
    """The ``kind`` a signed document claims (checked by its signature afterwards), or None."""
    document = signed.get("document") if isinstance(signed, dict) else None
    return document.get("kind") if isinstance(document, dict) else None


def opening_minutes_verify(*, minutes: object, public_key: Ed25519PublicKey) -> str:
    """Check an opening's signed minutes (``docs/opening-hall.md`` "The minutes"): the platform's
    signature; the record inside, its own signature, and that ``record_sha256`` is its digest; every
    signed confirmation, with the signing key it names, over the confirmation document of that
    digest; and that every bidder of the record confirmed, was deemed to by silence, or objected.
    The signing keys are as the platform registered them: a bidder checks its own entry against its
    key file's ``signing_key``."""
    try:
        body = signed_verify(signed=minutes, kind=MINUTES_KIND, public_key=public_key)
    except SignatureError as error:
        raise VerifyError(f"the minutes: {error}") from None
    if not all(isinstance(body.get(name), str) for name in ("platform", "lot", "record_sha256")):
        raise VerifyError("the minutes name their platform, lot and record_sha256 as strings")
    if not all(isinstance(body.get(name), list) for name in MINUTES_LISTS):
        raise VerifyError(f"the minutes hold the lists {', '.join(MINUTES_LISTS)}")
    platform, lot, record = body["platform"], body["lot"], body.get("record")
    record_kind = _kind_of(record)
    if record_kind not in (OPENING_KIND, RESERVE_KIND):
        raise VerifyError("the minutes hold no signed opening record")
    try:
        record_body = signed_verify(signed=record, kind=record_kind, public_key=public_key)
    except SignatureError as error:
        raise VerifyError(f"the record inside the minutes: {error}") from None
    if (record_body.get("platform"), record_body.get("lot")) != (platform, lot):
        raise VerifyError(f"the record inside is of lot {record_body.get('lot')!r} on {record_body.get('platform')!r}, "
                          f"the minutes of lot {lot!r} on {platform!r}")
    digest = hashlib.sha256(canonical_json(record["document"])).hexdigest()
    if body["record_sha256"] != digest:
        raise VerifyError(f"record_sha256 {body['record_sha256']} is not the SHA-256 of the record inside ({digest})")
    counts, responded = _responses_verify(body["responses"], platform=platform, lot=lot, record_sha256=digest)
    bids = record_body.get("bids") if isinstance(record_body.get("bids"), list) else []
    bidders = [entry.get("bidder") for entry in bids if isinstance(entry, dict)]
    silent = [bidder for bidder in bidders if bidder not in responded]
    if silent:
        raise VerifyError(f"bidder {silent[0]} of the record neither confirmed, nor was deemed to, nor objected")
    questions = body["questions"]
    answered = sum(1 for question in questions if isinstance(question, dict) and question.get("answered_at"))
    return (f"ok opening minutes of lot {body.get('lot_code')} (lot {lot} on {platform}), closed "
            f"{body.get('closed_at')}: {len(bidders)} bids in the record (sha256 {digest}); confirmations: "
            f"{counts['signed']} signed (each signature verified), {counts['confirm']} unsigned, "
            f"{counts['deemed']} deemed by silence; objections: {counts['objection']} "
            f"({counts['answered']} answered); {len(body['pauses'])} pauses; {len(questions)} questions "
            f"({answered} answered); {len(body['check_ins'])} check-ins; {len(body['releases'])} parts released")


def _responses_verify(responses: list, *, platform: str, lot: str,
                      record_sha256: str) -> tuple[Counter, set[str]]:
    """Count the responses by kind (``signed``: a confirmation with a signature, which must verify)
    and the objections ``answered``; return the counts and the bidders who responded at all."""
    counts: Counter = Counter()
    responded: set[str] = set()
    confirmed: set[str] = set()
    for number, response in enumerate(responses, start=1):
        if (not isinstance(response, dict) or not isinstance(response.get("bidder"), str)
                or response.get("kind") not in RESPONSE_KINDS):
            raise VerifyError(f"response {number}: names its bidder and a kind of {', '.join(RESPONSE_KINDS)}")
        bidder, kind = response["bidder"], response["kind"]
        if kind != "objection":
            if bidder in confirmed:
                raise VerifyError(f"bidder {bidder}: confirmed twice")
            confirmed.add(bidder)
        if kind == "confirm" and ("signature" in response or "signing_key" in response):
            confirmation_verify(response, platform=platform, lot=lot, record_sha256=record_sha256)
            kind = "signed"
        if kind == "objection" and response.get("answered_at"):
            counts["answered"] += 1
        counts[kind] += 1
        responded.add(bidder)
    return counts, responded


def confirmation_verify(response: dict, *, platform: str, lot: str, record_sha256: str) -> None:
    """The bidder's ECDSA P-256 signature (base64url ``r ‖ s``) of the confirmation document, with
    the signing key the entry names (base64url of the 65-byte uncompressed point)."""
    bidder = response["bidder"]
    if not all(isinstance(response.get(name), str) for name in ("signature", "signing_key")):
        raise VerifyError(f"bidder {bidder}: a signed confirmation carries both its signature and signing_key")
    try:
        key, signature = b64url_decode(response.get("signing_key")), b64url_decode(response.get("signature"))
    except CanonicalError:
        raise VerifyError(f"bidder {bidder}: signature and signing_key are base64url without padding") from None
    if len(key) != 65 or not point_valid(key):
        raise VerifyError(f"bidder {bidder}: the signing key is not an uncompressed P-256 point")
    message = confirmation_document(platform=platform, lot=lot, bidder=bidder, record_sha256=record_sha256)
    if not signature_verify(signing_public_raw=key, message=message, signature=signature):
        raise VerifyError(f"bidder {bidder}: the confirmation signature does not verify (not this bidder's "
                          "signature of this record with the signing key named)")


def archive_file_verify(*, path: str, public_key: Ed25519PublicKey) -> str:
    """Check a lot's archive (``docs/archive.md``): the layout, the manifest's signature, every
    member's size and hash against it, none missing or extra, and the audit extract inside against
    its checkpoint, which must be of the platform and the lot the manifest names."""
    try:
        with open(path, "rb") as file:
            archive = archive_verify(file, public_key)
            extract = json.loads(archive.read(AUDIT_EXTRACT).decode("utf-8"), parse_float=_no_float,
                                 parse_constant=_no_float)
    except OSError as error:
        raise VerifyError(f"cannot read the archive: {error}") from None
    body = archive.body
    try:
        entries = audit_extract_verify(extract=extract, public_key=public_key)
    except VerifyError as error:
        raise VerifyError(f"{AUDIT_EXTRACT}: {error}") from None
    subject = f"lot:{body['lot']['id']}"
    if extract["platform"] != body["platform"] or not any(entry["subject"] == subject for entry in extract["entries"]):
        raise VerifyError(f"{AUDIT_EXTRACT}: not the audit trail of {subject} on platform {body['platform']!r}")
    return (f"ok archive of lot {body['lot']['code']} ({body['outcome']}) sealed {body['created_at']}: "
            f"{len(body['files'])} files as the signed manifest lists them, audit extract of {entries} entries "
            f"sealed by checkpoint {extract['checkpoint']['entry']}; archive sha256 {archive.sha256}")


def _no_float(text: str) -> object:
    raise ValueError(f"number {text} is not an integer: no signed file holds one")


if __name__ == "__main__":
    sys.exit(main())

"""The bidder's own tool, needing only Python and ``cryptography``:

- ``python -m bidding.seal seal --key opening-public.pem ...`` seals a bid (``seal`` may be left
  out: the command's first form). ``--v2 --bidder-key FILE`` seals a version 2 envelope, whose
  second lock is the bidder's own key (``docs/envelope.md``). Prints the envelope's SHA-256, which
  the platform's signed receipt must repeat. The envelope is written next to ``-o`` and renamed into
  place only when complete, so a failed run leaves no half envelope behind.
- ``python -m bidding.seal keygen --out FILE`` makes the bidder's key file (``docs/bidder-keys.md``),
  asking the passphrase twice (or reading it from ``--passphrase-file``).
- ``python -m bidding.seal prove --bidder-key FILE --challenge CHALLENGE.json`` answers the
  platform's key check: it unlocks the key, opens the challenge and signs the answer.
- ``python -m bidding.seal unlock --bidder-key FILE ENVELOPE`` prints the bidder part of one's own
  version 2 envelope, the part released in the opening's decryption window.
- ``python -m bidding.seal confirm --bidder-key FILE --bidder USCC RECORD`` signs the opening record
  (``docs/opening-hall.md``, "Confirmations") and prints the signature to send as ``{"signature": ...}``.
"""
import argparse
import getpass
import hashlib
import json
import os
import sys
import tempfile
from contextlib import ExitStack

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bidding.crypto import bidder_key
from bidding.crypto.canonical import CanonicalError, b64url_decode, b64url_encode, canonical_json
from bidding.crypto.envelope import DEFAULT_SEGMENT_SIZE, EnvelopeError
from bidding.crypto.envelope_v2 import bidder_part_unlock, header_check, header_read
from bidding.crypto.sealing import seal, seal_v2

COMMANDS = ("seal", "keygen", "prove", "unlock", "confirm")
RECORD_KIND = "opening-record"


class Failure(Exception):
    """A clear error for the person at the terminal; exit status 1."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "seal")  # the first form of the command: no subcommand
    parser = argparse.ArgumentParser(prog="python -m bidding.seal",
                                     description="Seal a bid envelope (PBE1, or PBE2 with --v2), make the "
                                                 "bidder's key, answer a key check, unlock a bid's bidder part, "
                                                 "sign the opening record.")
    commands = parser.add_subparsers(dest="command", required=True)
    _seal_arguments(commands.add_parser("seal", help="seal a bid"))
    keygen = commands.add_parser("keygen", help="make the bidder's key file")
    keygen.add_argument("--out", required=True, help="the key file to write (must not exist)")
    keygen.add_argument("--passphrase-file", help="read the passphrase from this file's first line")
    prove = commands.add_parser("prove", help="answer the platform's key check")
    prove.add_argument("--bidder-key", required=True, help="your key file")
    prove.add_argument("--challenge", required=True, help="the challenge file the platform gave")
    prove.add_argument("--passphrase-file")
    prove.add_argument("--out", help="write the answer here (default: print it)")
    unlock = commands.add_parser("unlock", help="print the bidder part of your own v2 envelope")
    unlock.add_argument("--bidder-key", required=True, help="your key file")
    unlock.add_argument("--passphrase-file")
    unlock.add_argument("envelope", help="the envelope (PBE2), or its first bytes up to the end of the header")
    confirm = commands.add_parser("confirm", help="sign the opening record to confirm it")
    confirm.add_argument("--bidder-key", required=True, help="your key file")
    confirm.add_argument("--bidder", required=True,
                         help="your organisation's unified social credit code (the key file does not hold it)")
    confirm.add_argument("--passphrase-file")
    confirm.add_argument("record", help="the signed opening record (GET /api/v1/lots/<id>/opening/record/)")
    args = parser.parse_args(argv)
    try:
        return {"seal": _seal, "keygen": _keygen, "prove": _prove, "unlock": _unlock,
                "confirm": _confirm}[args.command](parser, args)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (Failure, EnvelopeError, bidder_key.KeyFileError, bidder_key.WrongPassphrase,
            bidder_key.ProofError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _seal_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, help="the lot's opening public key (PEM)")
    parser.add_argument("--platform", required=True)
    parser.add_argument("--lot", required=True)
    parser.add_argument("--bidder", required=True, help="unified social credit code")
    parser.add_argument("--price", required=True, help="yuan, at most 2 decimals, e.g. 1250000.00")
    parser.add_argument("--period-days", required=True, type=int)
    parser.add_argument("--item", action="append", default=[], metavar="NAME=VALUE",
                        help="a declared item of the procedure; repeat for more")
    parser.add_argument("--v2", action="store_true", help="seal a version 2 envelope (needs --bidder-key)")
    parser.add_argument("--bidder-key", help="your key file: its public encryption key takes the second lock")
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE, help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("files", nargs="*")


def _seal(parser: argparse.ArgumentParser, args) -> int:
    items = {}
    for item in args.item:
        name, separator, value = item.partition("=")
        if not separator or not name:
            parser.error(f"--item {item!r} is not NAME=VALUE")
        items[name] = value
    if args.v2 != bool(args.bidder_key):
        parser.error("--v2 and --bidder-key go together")
    try:
        with open(args.key, "rb") as key_file:
            public_key = load_pem_public_key(key_file.read())
    except (OSError, ValueError) as error:
        parser.error(f"cannot read the key {args.key}: {error}")
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        parser.error("the key is not a P-256 public key")
    bidder_public = _key_file(args.bidder_key).encryption_public_key if args.v2 else None
    directory = os.path.dirname(os.path.abspath(args.output))
    with ExitStack() as stack:
        opened = [stack.enter_context(open(path, "rb")) for path in args.files]
        files = [(os.path.basename(path), handle, os.fstat(handle.fileno()).st_size)
                 for path, handle in zip(args.files, opened)]
        common = {"platform": args.platform, "lot": args.lot, "bidder": args.bidder, "files": files,
                  "price_form": {"price": args.price, "period_days": args.period_days, "items": items},
                  "segment_size": args.segment_size}
        with _replacing(args.output, directory) as out:
            if args.v2:
                result = seal_v2(lot_public_key=public_key, bidder_public_key=bidder_public, out=out, **common)
            else:
                result = seal(public_key=public_key, out=out, **common)
    print(result.sha256)
    return 0


def _keygen(parser: argparse.ArgumentParser, args) -> int:
    if os.path.exists(args.out):
        raise Failure(f"{args.out} exists: a key file is never overwritten (bids may be locked to it)")
    if args.passphrase_file:
        passphrase = _passphrase_read(args.passphrase_file)
    else:
        passphrase = getpass.getpass("Passphrase (at least 12 characters): ")
        if getpass.getpass("The same passphrase again: ") != passphrase:
            raise Failure("the two passphrases differ")
    if len(passphrase) < bidder_key.PASSPHRASE_MIN:
        raise Failure(f"a passphrase has at least {bidder_key.PASSPHRASE_MIN} characters")
    key_file = bidder_key.key_file_create(passphrase)
    with _replacing(args.out, os.path.dirname(os.path.abspath(args.out)), text=True) as out:
        out.write(key_file.text())
    print(f"encryption key fingerprint: {key_file.fingerprint}")
    print("Keep the file and the passphrase: nobody, the platform included, can recover either.")
    return 0


def _prove(parser: argparse.ArgumentParser, args) -> int:
    key_file = _key_file(args.bidder_key)
    with open(args.challenge, encoding="utf-8") as handle:
        try:
            challenge = json.load(handle)
            names = {name: challenge[name] for name in ("platform", "lot", "bidder")}
            challenge_id, sealed = challenge["challenge"], b64url_decode(challenge["sealed"])
        except (ValueError, KeyError, TypeError, CanonicalError):
            raise Failure(f"{args.challenge} is not a key-check challenge from the platform") from None
    if challenge.get("fingerprint") not in (None, key_file.fingerprint):
        raise Failure("the challenge is for another key than this key file's: is it the key you registered?")
    unlocked = bidder_key.key_file_unlock(key_file, _passphrase(args))
    answer, signature = bidder_key.proof_answer(unlocked=unlocked, sealed=sealed, challenge_id=challenge_id, **names)
    text = json.dumps({"challenge": challenge_id, "answer": b64url_encode(answer),
                       "signature": b64url_encode(signature)}) + "\n"
    if args.out:
        with _replacing(args.out, os.path.dirname(os.path.abspath(args.out)), text=True) as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _unlock(parser: argparse.ArgumentParser, args) -> int:
    key_file = _key_file(args.bidder_key)
    with open(args.envelope, "rb") as envelope:
        header_bytes = header_read(envelope)
    fields = json.loads(header_bytes)
    names = {"platform": fields.get("platform"), "lot": fields.get("lot"), "bidder": fields.get("bidder")}
    if not all(isinstance(value, str) for value in names.values()):
        raise Failure("the envelope's header does not name a platform, lot and bidder")
    header = header_check(header_bytes, bidder_key=key_file.fingerprint, **names)
    unlocked = bidder_key.key_file_unlock(key_file, _passphrase(args))
    part = bidder_part_unlock(header=header, private_key=unlocked.encryption_private_key, **names)
    print(b64url_encode(part))
    return 0


def _confirm(parser: argparse.ArgumentParser, args) -> int:
    key_file = _key_file(args.bidder_key)
    document = _record_read(args.record)
    body = document["body"]
    if args.bidder not in {entry.get("bidder") for entry in body["bids"] if isinstance(entry, dict)}:
        # The platform would refuse the signature (and count the refusal): say so before signing.
        raise Failure(f"the record lists no bid of bidder {args.bidder!r}: --bidder is your organisation's "
                      "unified social credit code as the record shows it")
    digest = hashlib.sha256(canonical_json(document)).hexdigest()
    unlocked = bidder_key.key_file_unlock(key_file, _passphrase(args))
    message = bidder_key.confirmation_document(platform=body["platform"], lot=body["lot"], bidder=args.bidder,
                                               record_sha256=digest)
    print(b64url_encode(bidder_key.sign(unlocked.signing_private_key, message)))
    print(f"signed the record of lot {body['lot']} on {body['platform']} (record sha256 {digest}) "
          f"as bidder {args.bidder}", file=sys.stderr)
    return 0


def _record_read(path: str) -> dict:
    """The ``document`` of a signed opening record file, with the platform and lot it names. Its
    signature is the platform's, checked by ``python -m bidding.verify opening``; what the bidder
    signs is the hash of exactly this document."""
    with open(path, "rb") as handle:
        try:
            record = json.loads(handle.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            record = None
    document = record.get("document") if isinstance(record, dict) else None
    body = document.get("body") if isinstance(document, dict) else None
    if (not isinstance(body, dict) or document.get("kind") != RECORD_KIND or not isinstance(body.get("bids"), list)
            or not all(isinstance(body.get(name), str) and body[name] for name in ("platform", "lot"))):
        raise Failure(f"{path} is not a signed opening record (download it from /api/v1/lots/<id>/opening/record/)")
    try:
        canonical_json(document)
    except CanonicalError as error:
        raise Failure(f"{path}: the record has no canonical form ({error})") from None
    return document


def _key_file(path: str) -> bidder_key.BidderKeyFile:
    with open(path, "rb") as handle:
        return bidder_key.key_file_parse(handle.read())


def _passphrase_read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n")


def _passphrase(args) -> str:
    return _passphrase_read(args.passphrase_file) if args.passphrase_file else getpass.getpass("Passphrase: ")


class _replacing:
    """A temporary file beside ``path`` renamed onto it only when the block ends without error."""

    def __init__(self, path: str, directory: str, *, text: bool = False):
        self._path, self._directory, self._text = path, directory, text

    def __enter__(self):
        self._file = tempfile.NamedTemporaryFile(mode="w" if self._text else "wb", dir=self._directory,
                                                 prefix=".seal-", delete=False,
                                                 **({"encoding": "utf-8"} if self._text else {}))
        return self._file

    def __exit__(self, kind, error, traceback):
        self._file.close()
        if kind is None:
            os.replace(self._file.name, self._path)
        else:
            os.unlink(self._file.name)
        return False


if __name__ == "__main__":
    sys.exit(main())

"""Seal a bid on the bidder's own machine: ``python -m bidding.seal --key opening-public.pem ...``.

Needs only Python and ``cryptography``. Prints the envelope's SHA-256, which the platform's signed
receipt must repeat. The envelope is written next to ``-o`` and renamed into place only when
complete, so a failed run leaves no half envelope behind.
"""
import argparse
import os
import sys
import tempfile
from contextlib import ExitStack

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bidding.crypto.envelope import DEFAULT_SEGMENT_SIZE, EnvelopeError
from bidding.crypto.sealing import seal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bidding.seal", description="Seal a bid envelope (PBE1).")
    parser.add_argument("--key", required=True, help="the lot's opening public key (PEM)")
    parser.add_argument("--platform", required=True)
    parser.add_argument("--lot", required=True)
    parser.add_argument("--bidder", required=True, help="unified social credit code")
    parser.add_argument("--price", required=True, help="yuan, at most 2 decimals, e.g. 1250000.00")
    parser.add_argument("--period-days", required=True, type=int)
    parser.add_argument("--item", action="append", default=[], metavar="NAME=VALUE",
                        help="a declared item of the procedure; repeat for more")
    parser.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT_SIZE, help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    items = {}
    for item in args.item:
        name, separator, value = item.partition("=")
        if not separator or not name:
            parser.error(f"--item {item!r} is not NAME=VALUE")
        items[name] = value
    try:
        with open(args.key, "rb") as key_file:
            public_key = load_pem_public_key(key_file.read())
    except (OSError, ValueError) as error:
        parser.error(f"cannot read the key {args.key}: {error}")
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        parser.error("the key is not a P-256 public key")
    directory = os.path.dirname(os.path.abspath(args.output))
    try:
        with ExitStack() as stack:
            opened = [stack.enter_context(open(path, "rb")) for path in args.files]
            files = [(os.path.basename(path), handle, os.fstat(handle.fileno()).st_size)
                     for path, handle in zip(args.files, opened)]
            out = stack.enter_context(tempfile.NamedTemporaryFile(dir=directory, prefix=".seal-", delete=False))
            try:
                result = seal(public_key=public_key, platform=args.platform, lot=args.lot, bidder=args.bidder,
                              price_form={"price": args.price, "period_days": args.period_days, "items": items},
                              files=files, out=out, segment_size=args.segment_size)
                out.close()
                os.replace(out.name, args.output)
            except BaseException:
                out.close()
                os.unlink(out.name)
                raise
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (EnvelopeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(result.sha256)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Red flags at the opening: every rule (monitoring/integrity/flags.py) on a lot of 300 bids.

The rules' cost only, not the opening's: the lot's facts are built once in memory (300 bids, each
with an address, a device fingerprint, a price, a receipt time and three files with their document
metadata) and ``rules_run`` is timed for both stages, ``RUNS`` times after a warm-up; the median and
the 95th percentile are printed. Two lots:

- rigged: every rule that can fire on one lot fires with all 300 bids in its evidence (one address,
  one device, one shared file, one author, prices in arithmetic progression within 1 % of the
  ceiling, all within seconds, a short period, the award to the highest price): the largest evidence;
- clean: random prices, addresses, devices, files and times, where no rule fires.

Floor, measured in the same run on the rigged lot: one pass that reads what the rules read —
grouping the bids by address, device, file hash and metadata, and sorting them by price and by
time — building no evidence.

Also printed (not a row): what reading document metadata costs per file at the opening
(``bidding.sealed.docmeta.document_meta``) on a 200-page PDF and on an OOXML document.

Needs no database (the rules read none). The last line printed is JSON (see benchmarks/run_all.py).
"""
import io
import json
import os
import random
import statistics
import sys
import time
import zipfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIDS = 300
RUNS = 200
WARMUP = 20
GOAL_MS = 100
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def lots():
    from monitoring.integrity.flags import BidFacts, FileFacts, LotFacts

    rng = random.Random(20)
    ceiling = Decimal("40000000.00")
    rigged_meta = {"author": "王五", "software": "WPS Office 12.1", "created": "2026-10-30T09:00:00+08:00"}
    rigged, clean = [], []
    for i in range(BIDS):
        bidder, name, receipt = f"91330100MA{i:07d}X", f"基准投标人{i:04d}有限公司", f"00000000-0000-4000-8000-{i:012d}"
        rigged.append(BidFacts(
            receipt=receipt, bidder=bidder, name=name, received_at=T0 + timedelta(seconds=i),
            price=Decimal("39700000.00") + i * 1000, client_ip="203.0.113.7", device="d" * 64,
            files=(FileFacts("技术标.pdf", 2_000_000, "c" * 64, **rigged_meta),
                   FileFacts(f"商务标{i}.docx", 80_000, f"{i:064x}", **rigged_meta),
                   FileFacts(f"资格证明{i}.pdf", 5_000_000, f"{i + BIDS:064x}")),
            status="valid"))
        clean.append(BidFacts(
            receipt=receipt, bidder=bidder, name=name, received_at=T0 + timedelta(minutes=2 * i + rng.random()),
            price=Decimal(rng.randrange(3_200_000_000, 3_900_000_000)) / 100,
            client_ip=f"10.{i // 250}.{i % 250}.{rng.randrange(1, 250)}", device=f"{rng.getrandbits(256):064x}",
            files=tuple(FileFacts(f"file{k}.pdf", rng.randrange(10_000, 9_000_000), f"{rng.getrandbits(256):064x}",
                                  author=f"作者{i}-{k}", software="Microsoft Word",
                                  created=f"2026-10-{1 + k:02d}T{i % 24:02d}:{i % 60:02d}:00+08:00")
                        for k in range(3)),
            status="valid"))
    common = {"lot": 1, "sells": False, "ceiling": ceiling, "bid_deadline": T0 + timedelta(days=1),
              "method": "lowest_price"}
    return (LotFacts(bids=tuple(rigged), published_at=T0 - timedelta(days=10), winner=rigged[-1].receipt, **common),
            LotFacts(bids=tuple(clean), published_at=T0 - timedelta(days=30),
                     winner=min(clean, key=lambda bid: bid.price).receipt, **common))


def thresholds():
    from monitoring.integrity.flags import Thresholds

    return Thresholds(ceiling_band=Fraction(1, 100), price_pattern=Fraction(1, 1000), price_gap=Fraction(20, 100),
                      submission_gap=timedelta(seconds=60), short_period=timedelta(days=20))


def every_rule(facts, limits) -> dict:
    from monitoring.integrity.flags import AWARD, OPENING, rules_run

    opening = rules_run(stage=OPENING, facts=facts, limits=limits)
    return {**opening, **rules_run(stage=AWARD, facts=facts, limits=limits)}


def floor_pass(facts) -> None:
    """What every rule must read, once: the bids grouped by each shared value, sorted by price and time."""
    groups = defaultdict(set)
    for bid in facts.bids:
        groups["ip", bid.client_ip].add(bid.bidder)
        groups["device", bid.device].add(bid.bidder)
        for file in bid.files:
            groups["file", file.sha256].add(bid.bidder)
            groups["meta", file.author, file.software, file.created].add(bid.bidder)
    sorted(facts.bids, key=lambda bid: bid.price)
    sorted(facts.bids, key=lambda bid: bid.received_at)


def timed(work, *args) -> list[float]:
    for _ in range(WARMUP):
        work(*args)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work(*args)
        times.append(time.perf_counter() - started)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def sample_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    document = canvas.Canvas(out)
    document.setAuthor("王五")
    document.setCreator("WPS Office")
    for page in range(pages):
        for line in range(40):
            document.drawString(60, 800 - 18 * line, f"第{page + 1}页 技术方案 第{line + 1}行 " + "施工组织设计 " * 6)
        document.showPage()
    document.save()
    return out.getvalue()


def sample_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<document>" + "<p>商务标正文</p>" * 20_000 + "</document>")
        archive.writestr("docProps/core.xml", (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
            "<dc:creator>王五</dc:creator><dcterms:created>2026-10-30T01:00:00Z</dcterms:created></cp:coreProperties>"))
        archive.writestr("docProps/app.xml", (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion></Properties>"))
    return out.getvalue()


def metadata_costs() -> dict:
    from bidding.sealed.docmeta import document_meta

    results = {}
    for name, data in (("pdf_200_pages", sample_pdf(200)), ("docx", sample_docx())):
        if not document_meta(data).get("author"):
            raise SystemExit(f"no metadata read from the sample {name}")
        results[name] = {"bytes": len(data), "ms": statistics.median(timed(document_meta, data)[:50]) * 1000}
    return results


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    rigged, clean = lots()
    limits = thresholds()
    fired = every_rule(rigged, limits)
    if every_rule(clean, limits):
        raise SystemExit(f"the clean lot fired {sorted(every_rule(clean, limits))}")
    print(f"rigged lot of {BIDS} bids: {len(fired)} rules fire ({', '.join(sorted(fired))})", flush=True)
    results = {}
    for name, facts in (("rigged", rigged), ("clean", clean)):
        times = timed(every_rule, facts, limits)
        results[name] = {"median_ms": statistics.median(times) * 1000, "p95_ms": p95(times) * 1000}
        print(f"{name}: every rule on {BIDS} bids, {RUNS} runs: median {results[name]['median_ms']:.2f} ms, "
              f"p95 {results[name]['p95_ms']:.2f} ms (goal < {GOAL_MS} ms)", flush=True)
    floor = statistics.median(timed(floor_pass, rigged)) * 1000
    print(f"floor, one grouping and sorting pass over the rigged lot: median {floor:.2f} ms", flush=True)
    meta = metadata_costs()
    for name, cost in meta.items():
        print(f"document metadata at the opening, {name} ({cost['bytes'] / 1e6:.1f} MB): {cost['ms']:.2f} ms per file",
              flush=True)
    label = f"red flags, every rule on a lot of {BIDS} bids (goal < {GOAL_MS} ms)"
    rows = [
        {"figure": f"{label}, all firing: median", "value": round(results["rigged"]["median_ms"], 1), "unit": "ms",
         "floor": round(floor, 1)},
        {"figure": f"{label}, all firing: p95", "value": round(results["rigged"]["p95_ms"], 1), "unit": "ms",
         "floor": round(floor, 1)},
        {"figure": f"{label}, none firing: median", "value": round(results["clean"]["median_ms"], 1), "unit": "ms",
         "floor": None},
    ]
    print(json.dumps({"bench": "flags", "bids": BIDS, "runs": RUNS, "rules_fired": sorted(fired), **results,
                      "floor_ms": floor, "metadata": meta, "rows": rows}))


if __name__ == "__main__":
    main()

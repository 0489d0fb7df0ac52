"""The yearly statistical report over 10,000 lots (issue 20 §3: under 2 s).

A scratch database ``platform_bench_report`` gets 10,000 lots decided in the report's year and as
many in the year before (the year-on-year change reads both), over the five markets as a centre's
mix (tenders with 3–8 standing bids, the evaluation's approved winner; land and equity sales with
their listings, bidders and deal confirmations; about 8 % failed), and 8,000 rendered services,
most of them rated. Then, each the best and the median of ``--runs`` after one warm-up:

- the report's figures and text (``monitoring.statistics.report.report_text``): the six queries
  for the lots of both years, the figures of every market and of all, the change, the ratings'
  satisfaction of each market, the paragraphs; floor: the same lots queries alone, replayed through
  a bare psycopg cursor (what the database itself costs);
- the signed PDF of that report (``monitoring.statistics.pdf.report_pdf``, the font already loaded);
- the whole issue (``yearly_report_issue``: text, signature, PDF, storage on local files, the row
  and the audit event).

The last line printed is JSON (see benchmarks/run_all.py).
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from scratch import database_reset, database_url, libpq_url, progress

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "platform_bench_report"
YEAR = 2025
LOTS = 10_000
SERVICES = 8_000
# (market, share of the lots, ceiling or listing price range in yuan)
MIX = [("construction", 0.35, (2_000_000, 80_000_000)), ("procurement", 0.30, (200_000, 5_000_000)),
       ("hr", 0.10, (100_000, 2_000_000)), ("land", 0.15, (20_000_000, 300_000_000)),
       ("property", 0.10, (5_000_000, 100_000_000))]


def history_make(*, lots: int, year: int, seed: int) -> None:
    """``lots`` decided lots in ``year``, written in bulk (monitoring/statistics/tests/history.py)."""
    from monitoring.statistics.tests.history import History, tenderee
    from trading.workdays import CHINA

    rng = random.Random(seed)
    tenderees = [tenderee(f"招标人{year}-{n}", sector)
                 for n, sector in enumerate(["government", "institution", "state_owned", "private", "other", ""] * 5)]
    plan = History(bidders=12)
    start = datetime(year, 1, 1, tzinfo=CHINA)
    markets = [market for market, share, _range in MIX for _ in range(round(share * 100))]
    ranges = {market: price_range for market, _share, price_range in MIX}
    for n in range(lots):
        market = markets[n % len(markets)]
        low, high = ranges[market]
        estimate = Decimal(rng.randrange(low, high, 10_000))
        decided = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        published = decided - timedelta(days=rng.randrange(20, 90))
        failed = rng.random() < 0.08
        sells = market in ("land", "property")
        deal = None if failed else (estimate * Decimal(rng.uniform(1.0, 1.6) if sells else rng.uniform(0.8, 0.99))
                                    ).quantize(Decimal("0.01"))
        plan.add(market=market, tenderee=rng.choice(tenderees), estimate=estimate, deal=deal,
                 outcome="failed" if failed else rng.choice(["awarded", "contracted"]),
                 bidders=rng.randrange(0, 3) if failed else rng.randrange(3 if not sells else 1, 9),
                 appraised=(estimate * Decimal("0.95")).quantize(Decimal("0.01")) if sells and n % 2 else None,
                 investment=estimate * 3 if market == "construction" and n % 3 == 0 else None,
                 project=f"{year}-{n // 2}" if market == "construction" else "",
                 published_at=published, decided_at=decided)
    plan.save()


def services_make(*, count: int, seed: int) -> None:
    from monitoring.ratings.models import Rating, Service
    from trading.models import Organisation, User
    from trading.workdays import CHINA

    rng = random.Random(seed)
    party = Organisation.objects.filter(kind="tenderee").first()
    rater = User.objects.create(username="bench-rater")
    services = Service.objects.bulk_create(
        Service(kind="deposit_refund", ref=str(n), market_id=MIX[n % len(MIX)][0], organisation=party,
                rendered_at=datetime(YEAR - 1 + n % 2, 1, 1, tzinfo=CHINA) + timedelta(minutes=rng.randrange(525_000)),
                entry=n) for n in range(count))
    Rating.objects.bulk_create(Rating(service=service, level=rng.choice([5, 5, 5, 4, 4, 3, 2, 1]), rated_by=rater,
                                      rated_at=service.rendered_at) for service in services if rng.random() < 0.7)


def timed(function, runs: int) -> tuple[float, float]:
    """Best and median wall time of ``runs`` calls after one warm-up, in milliseconds."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def lots_query_floor(url: str, runs: int) -> float:
    """The report's queries for the lots (those ``lot_facts`` sends for both years), replayed through
    a bare psycopg cursor: what the database itself costs."""
    import psycopg
    from django.db import connection

    from monitoring.statistics.figures import lot_facts
    from monitoring.statistics.periods import Period

    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        lot_facts(since=Period(YEAR - 1).start, until=Period(YEAR).end)
    with psycopg.connect(libpq_url(url)) as conn:
        def run():
            with conn.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        best, _median = timed(run, runs)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lots", type=int, default=LOTS, help=f"lots decided in each of the two years ({LOTS})")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards (to study it)")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmark makes its own database there)")
    bench_url = database_url(server_url, BENCH_DB)
    database_reset(server_url, BENCH_DB, create=True)
    scratch = tempfile.TemporaryDirectory(prefix="bench-report-")
    os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="config.settings", PLATFORM_LOAD_DEMO="0",
                      PLATFORM_SIGNING_KEY_FILE=str(Path(scratch.name) / "bench-key.pem"),
                      PLATFORM_STORAGE_DIR=str(Path(scratch.name) / "objects"))
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command
    from django.db import connections

    from monitoring.statistics.pdf import report_pdf
    from monitoring.statistics.report import report_text
    from monitoring.statistics.services import yearly_report_issue
    from trading.services import user_create
    from trading.workdays import CHINA

    try:
        call_command("migrate", verbosity=0)
        progress(f"writing {args.lots:,} lots in {YEAR - 1} and {args.lots:,} in {YEAR} …")
        started = time.perf_counter()
        history_make(lots=args.lots, year=YEAR - 1, seed=1)
        history_make(lots=args.lots, year=YEAR, seed=2)
        services_make(count=SERVICES, seed=3)
        call_command("shell", command="from django.db import connection; connection.cursor().execute('ANALYZE')")
        progress(f"  written in {time.perf_counter() - started:.0f} s")
        regulator = user_create(username="bench_regulator", password="bench-password-1", roles=["regulator"],
                                actor="system:bench")
        with time_machine.travel(datetime(YEAR + 1, 1, 15, 10, tzinfo=CHINA), tick=False):
            report = report_text(year=YEAR, language="zh-hans")
            lots_counted = report.figures["rows"]["total"]["figures"]["lots"]
            text_best, text_median = timed(lambda: report_text(year=YEAR, language="zh-hans"), args.runs)
            floor = lots_query_floor(bench_url, args.runs)
            print(f"yearly report, figures + text: best {text_best:,.0f} ms, median {text_median:,.0f} ms "
                  f"({lots_counted:,} lots in {YEAR}, {args.lots:,} in {YEAR - 1}; goal < 2,000 ms)")
            print(f"  floor, the lots queries alone through psycopg: {floor:,.0f} ms")
            from bidding.crypto.receipts import signed_document
            from trading import signing

            signed = signed_document("yearly-report", {"language": "zh-hans", "title": report.title,
                                                       "subtitle": report.subtitle, "paragraphs": report.paragraphs,
                                                       "notes": report.notes, "issued_by": "bench"},
                                     signing.private_key())
            issued_at = datetime(YEAR + 1, 1, 15, 10, tzinfo=CHINA)
            pdf_best, pdf_median = timed(lambda: report_pdf(signed=signed, issued_at=issued_at), args.runs)
            pages = report_pdf(signed=signed, issued_at=issued_at).count(b"/Type /Page\n")
            print(f"yearly report PDF: best {pdf_best:,.0f} ms, median {pdf_median:,.0f} ms (font loaded)")
            issue_best, issue_median = timed(lambda: yearly_report_issue(year=YEAR, language="en", user=regulator),
                                             args.runs)
            print(f"yearly report issued (text, signature, PDF, storage, row, event): best {issue_best:,.0f} ms, "
                  f"median {issue_median:,.0f} ms")
    finally:
        connections.close_all()
        if not args.keep:
            database_reset(server_url, BENCH_DB, create=False)
        scratch.cleanup()
    print(json.dumps({
        "bench": "report", "lots": lots_counted, "text_best_ms": round(text_best), "text_median_ms": round(text_median),
        "lots_query_floor_ms": round(floor), "pdf_best_ms": round(pdf_best), "pdf_median_ms": round(pdf_median),
        "pdf_pages": pages, "issue_best_ms": round(issue_best), "issue_median_ms": round(issue_median),
        "rows": [
            {"figure": f"yearly report, figures + text, {lots_counted:,} lots (goal < 2,000 ms)",
             "value": round(text_median), "unit": "ms", "floor": round(floor)},
            {"figure": "yearly report PDF", "value": round(pdf_median), "unit": "ms", "floor": None},
            {"figure": "yearly report issued (text, signature, PDF, storage)", "value": round(issue_median),
             "unit": "ms", "floor": None},
        ],
    }))


if __name__ == "__main__":
    main()

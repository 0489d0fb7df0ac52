"""The hand-computed fixture: a few lots of every market over 2025 and 2026 (land and equity with
starting and appraised prices, failed lots, a lot whose award was withdrawn, one decided after the
year) and some rated services. The figures it must give are worked out by hand in
test_figures.py (``EXPECTED``), and every other test compares with those."""
from datetime import datetime

import pytest

from monitoring.statistics.tests.history import History, tenderee
from trading.workdays import CHINA

NOW = datetime(2027, 1, 10, 10, 0, tzinfo=CHINA)


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=CHINA)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def history(db, now):
    """The lots of the fixture, by name."""
    government = tenderee("市住房和城乡建设局", "government")
    company = tenderee("市城投集团有限公司", "state_owned")
    school = tenderee("市第一中学", "institution")
    unstated = tenderee("某单位", "")
    plan = History()
    lots = {
        # Construction, 2026: two lots of one project (investment 5,000 万), one failed lot.
        "C1a": plan.add(market="construction", tenderee=government, project="市民中心", investment=50_000_000,
                        estimate=10_000_000, deal=8_500_000, bidders=5, outcome="contracted",
                        published_at=at(2026, 3, 1), decided_at=at(2026, 4, 10)),
        "C1b": plan.add(market="construction", tenderee=government, project="市民中心", investment=50_000_000,
                        estimate=6_000_000, deal=5_400_000, bidders=4,
                        published_at=at(2026, 5, 1), decided_at=at(2026, 6, 1)),
        "C2": plan.add(market="construction", tenderee=company, project="污水厂", investment=20_000_000,
                       estimate=4_000_000, bidders=2, outcome="failed",
                       published_at=at(2026, 6, 15), decided_at=at(2026, 7, 15)),
        # Construction, 2025.
        "C3": plan.add(market="construction", tenderee=government, project="体育馆", investment=30_000_000,
                       estimate=8_000_000, deal=7_000_000, bidders=6,
                       published_at=at(2025, 2, 1), decided_at=at(2025, 3, 3)),
        # Not counted: awarded in 2026 but the award was withdrawn (back at the review); awarded in 2027.
        "N1": plan.add(market="construction", tenderee=government, estimate=9_000_000, deal=8_000_000,
                       outcome="award_review", published_at=at(2026, 2, 1), decided_at=at(2026, 3, 1)),
        "N2": plan.add(market="construction", tenderee=government, estimate=9_000_000, deal=8_000_000,
                       published_at=at(2026, 12, 1), decided_at=at(2027, 1, 5)),
        # Procurement: 2026 only.
        "P1": plan.add(market="procurement", tenderee=school, estimate=1_000_000, deal=900_000, bidders=3,
                       published_at=at(2026, 8, 1), decided_at=at(2026, 8, 31)),
        # HR services: one deal a year.
        "H1": plan.add(market="hr", tenderee=government, estimate=500_000, deal=450_000, bidders=3,
                       published_at=at(2026, 2, 1), decided_at=at(2026, 3, 1)),
        "H2": plan.add(market="hr", tenderee=government, estimate=400_000, deal=380_000, bidders=2,
                       published_at=at(2025, 1, 10), decided_at=at(2025, 2, 9)),
        # Land, 2026: two sales (one appraised), one unsold.
        "L1": plan.add(market="land", tenderee=government, estimate=100_000_000, starting=100_000_000,
                       appraised=110_000_000, deal=124_400_000, bidders=4,
                       published_at=at(2026, 4, 1), decided_at=at(2026, 5, 6)),
        "L2": plan.add(market="land", tenderee=unstated, estimate=50_000_000, starting=50_000_000,
                       deal=62_000_000, bidders=3, published_at=at(2026, 9, 1), decided_at=at(2026, 10, 11)),
        "L3": plan.add(market="land", tenderee=government, estimate=30_000_000, bidders=0, outcome="failed",
                       published_at=at(2026, 10, 1), decided_at=at(2026, 11, 20)),
        # Land, 2025.
        "L4": plan.add(market="land", tenderee=government, estimate=80_000_000, deal=90_000_000, bidders=2,
                       published_at=at(2025, 5, 1), decided_at=at(2025, 6, 5)),
        # State-owned equity: appraised values below or at the starting prices.
        "E1": plan.add(market="property", tenderee=company, estimate=20_000_000, appraised=18_000_000,
                       deal=27_000_000, bidders=3, outcome="contracted",
                       published_at=at(2026, 3, 1), decided_at=at(2026, 4, 20)),
        "E2": plan.add(market="property", tenderee=company, estimate=10_000_000, appraised=10_000_000,
                       deal=12_000_000, bidders=2, published_at=at(2026, 6, 1), decided_at=at(2026, 7, 1)),
        "E3": plan.add(market="property", tenderee=company, estimate=15_000_000, appraised=15_000_000,
                       deal=16_000_000, bidders=2, published_at=at(2025, 7, 1), decided_at=at(2025, 8, 1)),
    }
    saved = dict(zip(lots, plan.save()))
    _ratings()
    return saved


def _ratings():
    """Procurement's services: in 2026 three rated (very satisfied, satisfied, very dissatisfied) and
    one left unrated long ago, which counts as satisfied: 3 of 4; in 2025 one of two."""
    from monitoring.ratings.models import Rating, Service
    from trading.models import Organisation, User

    party = Organisation.objects.filter(kind="tenderee").first()
    rater = User.objects.create(username="rater")
    services = [(at(2026, 5, 1), 5), (at(2026, 6, 1), 4), (at(2026, 7, 1), 1), (at(2026, 8, 1), None),
                (at(2025, 5, 1), 5), (at(2025, 6, 1), 2)]
    for n, (rendered_at, level) in enumerate(services, 1):
        service = Service.objects.create(kind="deposit_refund", ref=str(n), market_id="procurement",
                                         organisation=party, rendered_at=rendered_at, entry=n)
        if level is not None:
            Rating.objects.create(service=service, level=level, rated_by=rater, rated_at=rendered_at)

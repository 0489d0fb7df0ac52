"""Shared fixtures: named people built through the real services, a real Celery worker, and a
closing line saying which real services the session used."""
import os

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_success
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

PASSWORD = "correct-horse-battery-9"
_used = {"celery_tasks": 0}


@receiver(connection_created)
def _allow_test_flush(sender, connection, **kwargs):
    """Django empties test databases with TRUNCATE, which the audit tables refuse unless asked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET platform.allow_truncate = 'on'")


def _uscc(prefix8: str, serial: int) -> str:
    from trading.validators import uscc_check_character

    body = f"{prefix8}MA{serial:07d}"
    return body + uscc_check_character(body)


@pytest.fixture
def make_person(db):
    from trading.models import Organisation
    from trading.services import organisation_create, user_create

    def make(username, roles, *, organisation=None, **extra):
        if isinstance(organisation, str):
            organisation = Organisation.objects.filter(name=organisation).first() or organisation_create(
                name=organisation, uscc=_uscc("91330100", Organisation.objects.count() + 1), kind="bidder",
                actor="system:test",
            )
        return user_create(username=username, password=PASSWORD, roles=roles, actor="system:test",
                           organisation=organisation, **extra)

    return make


@pytest.fixture
def authenticator_code(db):
    """``authenticator_code(user)``: the code the person's authenticator shows now, as their app
    computes it; a person with no authenticator gets a confirmed one first (through the service)."""
    from django_otp.oath import totp

    from trading.accounts.services.second_factor import totp_device_create, totp_device_get

    def code(user):
        device = totp_device_get(user) or totp_device_create(user, confirmed=True, actor="system:test")
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"

    return code


@pytest.fixture
def staff(make_person):
    return make_person("staff", ["staff"])


@pytest.fixture
def bidder_a(make_person):
    return make_person("bidder_a", ["bidder"], organisation="甲建设有限公司")


@pytest.fixture
def bidder_b(make_person):
    return make_person("bidder_b", ["bidder"], organisation="乙工程有限公司")


@pytest.fixture
def supervisor(make_person):
    return make_person("supervisor", ["supervisor"], resident_id="11010519491231002X")


@pytest.fixture
def regulator(make_person):
    return make_person("regulator", ["regulator"])


@pytest.fixture(scope="session")
def celery_worker_live(django_db_setup, django_db_blocker):
    """A real Celery worker (solo pool, in a thread of this process) consuming from the real Redis broker."""
    from config.celery import app

    def count(**kwargs):
        _used["celery_tasks"] += 1

    task_success.connect(count, weak=False)
    with django_db_blocker.unblock():
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker


def _redis_commands():
    return redis.Redis.from_url(settings.REDIS_URL).info("stats")["total_commands_processed"]


@pytest.fixture(scope="session", autouse=True)
def _services_report(django_db_setup, django_db_blocker):
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        _used["database"] = f"{connection.vendor}: {version} (database {connection.settings_dict['NAME']})"
    except DatabaseError:  # none of the selected tests needs the database, so pytest-django made none
        _used["database"] = "not needed by the selected tests"
    before = _redis_commands() if settings.REDIS_URL else 0
    yield
    if settings.REDIS_URL:
        info = redis.Redis.from_url(settings.REDIS_URL).info("server")
        _used["redis"] = (f"Redis {info['redis_version']} at {settings.REDIS_URL}: "
                          f"{_redis_commands() - before} commands during the session")


@pytest.fixture(scope="session", autouse=True)
def _stray_database_sessions_ended(django_db_setup, django_db_blocker):
    """Ends this test database's other sessions before pytest-django drops it.

    A full run left six idle sessions of this very process, whose last queries were a room's replay
    and role checks (the in-process room tests, through Channels' communicator and its worker
    threads), and the drop failed with "is being accessed by other users". Which thread keeps them
    was not pinned down. Server processes and the Celery worker have stopped by now, so any other
    session of this database is such a stray."""
    yield
    if connection.vendor != "postgresql":
        return
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    except DatabaseError:  # none of the selected tests needed the database, so there is none
        pass


def pytest_collection_modifyitems(config, items):
    """Every test of a ``test_browser*`` module, with the ``browser`` fixture or marked ``browser`` is a
    browser test; if any is selected and there is no Chromium, the session stops here with one
    message instead of a failure per test."""
    browser_tests = [item for item in items
                     if item.path.name.startswith("test_browser") or "browser" in getattr(item, "fixturenames", ())
                     or item.get_closest_marker("browser") is not None]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
    if browser_tests and not os.access(CHROMIUM, os.X_OK):
        pytest.exit(f"{len(browser_tests)} selected browser tests need Chromium at {CHROMIUM}, and there is none. "
                    f"`make test` installs it (Debian's package chromium); elsewhere set CHROMIUM=/path/to/chromium, "
                    f"or leave the browser tests out with -m 'not browser'.", returncode=4)


def pytest_terminal_summary(terminalreporter):
    from tests.s3server import s3_summary

    terminalreporter.section("real services used by this session")
    terminalreporter.write_line(f"Database: {_used.get('database', 'not used')}")
    terminalreporter.write_line(_used.get("redis", "Redis: not configured"))
    terminalreporter.write_line(s3_summary())
    terminalreporter.write_line(f"Celery: {_used['celery_tasks']} tasks run by a real worker on {settings.CELERY_BROKER_URL}")


@pytest.fixture
def make_lot(db):
    """A lot of any market, built through the services, as a draft with a lawful schedule.

    ``days`` is the bid deadline's (or listing end's) distance from now; pass schedule fields to
    override. Tender lots: documents on sale for ``days`` days, deposit 1 % of the estimate.
    """
    from datetime import timedelta
    from decimal import Decimal

    from trading import clock
    from trading.models import Market, Organisation, Procedure
    from trading.services.lots import lot_create, project_create

    def make(market="procurement", procedure="open_tender", *, days=25, estimate="1000000.00", code=None, **fields):
        now = clock.now()
        tenderee = Organisation.objects.filter(kind="tenderee").first() or Organisation.objects.create(
            name="市公共资源采购单位", uscc=_uscc("12330100", 900), kind="tenderee")
        market_obj = Market.objects.get(code=market)
        procedure_obj = Procedure.objects.get(market=market_obj, code=procedure)
        project = project_create(code=code or f"T{Organisation.objects.count()}-{now.timestamp():.6f}",
                                 title="测试项目", market=market_obj, procedure=procedure_obj, tenderee=tenderee,
                                 actor="system:test")
        estimate = Decimal(estimate)
        if procedure_obj.kind == "listing":
            schedule = {"listing_start": now + timedelta(days=21), "listing_end": now + timedelta(days=21 + days)}
            deposit = estimate / 5
        else:
            schedule = {"documents_until": now + timedelta(days=days), "bid_deadline": now + timedelta(days=days)}
            deposit = (estimate / 100).quantize(Decimal("0.01"))
        schedule.update(fields)
        deposit = schedule.pop("deposit", deposit)
        return lot_create(project=project, title="测试标段", estimate=estimate, deposit=deposit, actor="system:test",
                          **schedule)

    return make


# Where `make test`'s set-up (scripts/test-prerequisites) put the browser: Debian's package by default.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def embedded_platform(tmp_path_factory):
    """`make run` in a fresh var directory with no service configured: the embedded mode.

    Shared by the browser tests of a session (one server, its demo data and whatever they add).
    """
    from tests.platform_process import make_run

    var_dir = tmp_path_factory.mktemp("embedded")
    with make_run(var_dir) as url:
        yield url, var_dir


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


CUSTODIAN_PASSPHRASE = "a long custodian passphrase"


@pytest.fixture
def custodians(make_person):
    """Three custodians with keys (centre staff, a supervisor, a regulator): a lawful 2-of-3 set."""
    from bidding.sealed.services.keys import custodian_key_create

    people = [make_person("custodian_staff", ["custodian", "staff"]),
              make_person("custodian_supervisor", ["custodian", "supervisor"], resident_id="110105194912310038"),
              make_person("custodian_regulator", ["custodian", "regulator"])]
    for person in people:
        custodian_key_create(user=person, passphrase=CUSTODIAN_PASSPHRASE)
    return people


@pytest.fixture
def publish_sealed(custodians):
    """Submit and publish a draft lot with an opening key shared 2 of 3 among ``custodians``."""
    from bidding.sealed.services.keys import lot_publish_sealed
    from trading.services.lots import lot_submit

    def publish(lot, *, threshold=2):
        lot_submit(lot_id=lot.pk, actor="user:1")
        lot_publish_sealed(lot_id=lot.pk, title="招标公告", body="……", actor="user:1",
                           custodian_ids=[c.pk for c in custodians], threshold=threshold)
        lot.refresh_from_db()
        return lot

    return publish


@pytest.fixture
def make_listing_lot(make_lot):
    """A land lot in its listing period with ``bidders`` registered and approved (竞买资格确认).

    ``publish`` publishes the draft (default: without an opening key; pass ``publish_sealed`` for
    a lot whose reserve can be sealed); with a ``deposit`` each bidder's is confirmed by staff."""
    from datetime import timedelta
    from decimal import Decimal

    import time_machine

    from trading.models import Lot, Registration
    from trading.services.deposits import deposit_confirm
    from trading.services.lots import lot_due_sweep, lot_publish, lot_submit
    from trading.services.registrations import registration_create, registration_decide

    def publish_plain(lot):
        lot_submit(lot_id=lot.pk, actor="user:1")
        lot_publish(lot_id=lot.pk, title="挂牌出让公告", body="……", actor="user:1")

    def make(bidders, *, publish=publish_plain, deposit="0", market="land", procedure="listing_timed_bidding",
             days=25, estimate="1000000.00"):
        lot = make_lot(market, procedure, deposit=Decimal(deposit), days=days, estimate=estimate)
        publish(lot)
        lot.refresh_from_db()
        with time_machine.travel(lot.listing_start + timedelta(seconds=1), tick=False):
            lot_due_sweep()
            for user in bidders:
                registration = registration_create(lot_id=lot.pk, user=user)
                if registration.status == Registration.Status.PENDING:
                    registration_decide(registration_id=registration.pk, approve=True, reason="", actor="user:1")
                if lot.deposit:
                    deposit_confirm(registration_id=registration.pk, amount=lot.deposit,
                                    reference=f"BANK-{registration.pk}", actor="user:1")
        lot.refresh_from_db()
        assert lot.status == Lot.Status.LISTING
        return lot

    return make


@pytest.fixture
def lot_in_evaluation(make_lot, publish_sealed, custodians, make_person):
    """``make(prices, market=..., procedure=...)``: a tender lot opened by 2 of 3 custodians with one
    sealed bid per price (bidders ``bidder_1``… of their own organisations), its response window
    over, so the lot is in evaluation. Returns the lot and its bidders in ``prices``' order."""
    import io
    from decimal import Decimal

    import time_machine
    from django.conf import settings

    from bidding.crypto.sealing import seal
    from bidding.crypto.opening_key import public_key_load
    from bidding.sealed.services.bids import bid_submit
    from bidding.sealed.services.opening import opening_close_sweep, opening_start, share_present
    from trading.models import Lot
    from trading.services.deposits import deposit_confirm
    from trading.services.lots import lot_due_sweep
    from trading.services.registrations import registration_create

    def make(prices, *, market="procurement", procedure="open_tender", estimate="1000000.00", deposit="0"):
        lot = publish_sealed(make_lot(market, procedure, deposit=Decimal(deposit), estimate=estimate))
        key = public_key_load(bytes(lot.opening_key.public_key_raw))
        bidders = []
        for n, price in enumerate(prices, 1):
            user = make_person(f"bidder_{n}", ["bidder"], organisation=f"第{n}投标有限公司")
            registration = registration_create(lot_id=lot.pk, user=user)
            if lot.deposit:
                deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"DEP-{n}",
                                actor="user:1")
            out, proposal = io.BytesIO(), b"proposal " * 100
            seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc,
                 price_form={"price": price, "period_days": 180, "items": {}},
                 files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
            data = out.getvalue()
            bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))
            bidders.append(user)
        lot.refresh_from_db()
        with time_machine.travel(lot.bid_deadline, tick=False):
            lot_due_sweep()
        session = opening_start(lot_id=lot.pk, actor="user:1")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
        session.refresh_from_db()
        with time_machine.travel(session.responses_until, tick=False):
            opening_close_sweep()
        lot.refresh_from_db()
        assert lot.status == Lot.Status.EVALUATION
        return lot, bidders

    return make


@pytest.fixture
def expert_pool(make_person):
    """``make(n, specialty="goods")``: n experts of one specialty, each employed by their own firm."""
    from bidding.evaluation.services.panel import expert_register
    from trading.models import User

    def make(n, specialty="goods", *, prefix=None):
        prefix = prefix or specialty
        return [expert_register(user=make_person(f"{prefix}_expert_{i}", ["expert"],
                                                 resident_id=_resident_id(User.objects.count() + 100)),
                                specialties=[specialty], employer_name=f"{prefix}专家单位{i}")
                for i in range(1, n + 1)]

    return make


def _resident_id(serial: int) -> str:
    """The ``serial``-th resident ID number with a valid GB 11643 check character."""
    body = f"11010519{60 + serial // 1000 % 40}0101{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


@pytest.fixture
def evaluate(expert_pool):
    """``evaluate(lot, noncompliant=())``: a lot in evaluation judged by lowest price by 5 experts
    drawn from a new pool, all seated; each finds every opened bid compliant but those in
    ``noncompliant`` (bids); the report is signed. Returns the evaluation."""
    from bidding.sealed.models import Bid
    from bidding.evaluation.services.evaluation import evaluation_conclude, evaluation_create, sheet_submit
    from bidding.evaluation.services.panel import member_answer, panel_draw

    def run(lot, *, noncompliant=()):
        expert_pool(5, prefix=f"lot{lot.pk}")
        evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                       actor="user:1")
        panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor="user:1")
        for member in evaluation.members.all():
            member_answer(member_id=member.pk, user=member.user, no_conflict=True)
        entries = {str(bid.pk): {"compliant": True} for bid in Bid.objects.filter(lot=lot, status=Bid.Status.OPENED)}
        for bid in noncompliant:
            entries[str(bid.pk)] = {"compliant": False, "reason": "未按要求提供资格证明文件"}
        for member in evaluation.members.all():
            sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
        return evaluation_conclude(evaluation_id=evaluation.pk, actor="user:1")

    return run

"""Two real Celery workers sweeping at once never apply one timed move twice."""
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app, run_sweep
from trading import clock
from trading.models import Lot, LotStatusChange
from trading.services.lots import lot_publish, lot_submit

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOTS = 120


@pytest.fixture
def second_worker(tmp_path):
    """A worker in its own process, on the same broker and the same test database."""
    database = connection.settings_dict
    environment = dict(os.environ, REDIS_URL=settings.REDIS_URL, PLATFORM_VAR_DIR=str(tmp_path),
                       DJANGO_SECRET_KEY=settings.SECRET_KEY, PLATFORM_BANK_HMAC_SECRET="test-bank-secret",
                       DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}")
    log = open(tmp_path / "worker.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                                "--hostname=second@%h", "--without-mingle", "--without-gossip", "--loglevel=INFO"],
                               cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not any(name.startswith("second@") for reply in app.control.ping(timeout=1) for name in reply):
        assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
    yield tmp_path / "worker.log"
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_two_workers_close_each_lot_exactly_once(celery_worker_live, second_worker, make_lot):
    lots = []
    for _ in range(LOTS):
        lot = make_lot("construction")
        lot_submit(lot_id=lot.pk, actor="user:1")
        lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
        lots.append(lot.pk)
    # The deadlines pass: moved into the past directly, as the clock would have done.
    past = clock.now() - timedelta(seconds=1)
    Lot.objects.filter(pk__in=lots).update(bid_deadline=past, next_due_at=past)

    results = [run_sweep.delay("trading.services.lots.lot_due_sweep") for _ in range(8)]
    applied = sum(result.get(timeout=120)["applied"] for result in results)

    assert applied == LOTS
    assert Lot.objects.filter(pk__in=lots, status=Lot.Status.CLOSED).count() == LOTS
    closes = LotStatusChange.objects.filter(lot_id__in=lots, transition="close_bidding")
    assert closes.count() == LOTS
    assert "second@" in second_worker.read_text() and "succeeded" in second_worker.read_text()

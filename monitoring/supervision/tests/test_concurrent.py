"""Two sweeps at once (two threads, two database connections, as two workers would run them) raise
each alert once and record it once: the time rules meet at the alert's unique key, the event rules
at the audit cursor's row."""
import threading

import pytest
from django.db import connection, transaction

from monitoring.events import record
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from monitoring.supervision.tests.conftest import at
from trading.services.enquiries import enquiry_ask
from trading.services.lots import lot_publish, lot_submit
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
QUESTIONS, FAILURES = 30, 12


def test_two_sweeps_at_once_raise_each_alert_exactly_once(make_lot, bidder_a, custodians):
    with at(2026, 9, 29, 10, 0):
        lot = make_lot("construction", days=25)
        lot_submit(lot_id=lot.pk, actor="user:1")
        lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
        registration_create(lot_id=lot.pk, user=bidder_a)
        for n in range(QUESTIONS):
            enquiry_ask(lot_id=lot.pk, user=bidder_a, question=f"第{n}个问题：工期能否顺延？")
    for n in range(FAILURES):
        with transaction.atomic():
            record(kind="custodian.passphrase_failed", actor=f"user:{custodians[n % 3].pk}", subject=f"lot:{lot.pk}",
                   data={"lot": lot.pk})
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            barrier.wait(timeout=30)
            results.append(alerts_sweep())
        except Exception as error:  # re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    # Three working days after 29 September are 30 September, 8 and 9 October: every answer is overdue.
    with at(2026, 10, 12, 10, 0):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sum(result["raised"] for result in results) == QUESTIONS + FAILURES
    assert Alert.objects.filter(rule="enquiry_answer", level="red").count() == QUESTIONS
    assert Alert.objects.filter(rule="custodian_passphrase_failed").count() == FAILURES
    raised = AuditEntry.objects.filter(subject="alerts", kind="alert.raised")
    assert raised.count() == len({entry.data["alert"] for entry in raised}) == QUESTIONS + FAILURES
    with at(2026, 10, 12, 10, 5):
        assert alerts_sweep() == {"raised": 0, "escalated": 0, "resolved": 0}

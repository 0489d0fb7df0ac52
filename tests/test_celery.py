"""Timed sweeps run by a real Celery worker consuming from Redis (no eager mode)."""
import pytest

from config.celery import run_sweep

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_runs_the_audit_checkpoint_sweep(celery_worker_live, staff):
    from monitoring.models import AuditEntry, Checkpoint

    head = AuditEntry.objects.order_by("-id").first()
    result = run_sweep.delay("monitoring.audit.services.audit_checkpoint_sweep")
    result.get(timeout=30)
    checkpoint = Checkpoint.objects.order_by("-id").first()
    assert checkpoint is not None and checkpoint.entry == head.id and checkpoint.head_hash == head.hash
    # Idempotent: nothing new to seal, so a second run adds no checkpoint.
    run_sweep.delay("monitoring.audit.services.audit_checkpoint_sweep").get(timeout=30)
    assert Checkpoint.objects.count() == 1


def test_worker_refuses_a_sweep_that_is_not_registered(celery_worker_live):
    with pytest.raises(ValueError, match="not a registered sweep"):
        run_sweep.delay("os.system").get(timeout=30)

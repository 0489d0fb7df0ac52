from io import StringIO

import pytest
from django.core.management import call_command

from trading.models import Lot, Market, User


@pytest.mark.django_db
def test_demo_data_covers_every_market_and_role_and_loads_once():
    first = StringIO()
    call_command("load_demo", stdout=first)
    assert "Demo data loaded" in first.getvalue() and "demo-regulator-2026" in first.getvalue()
    assert {m.code for m in Market.objects.filter(projects__isnull=False)} == {
        "construction", "procurement", "property", "land", "hr"}
    assert Lot.objects.values("status").distinct().count() >= 6
    roles = {r for user in User.objects.filter(username__startswith="demo_") for r in user.role_set}
    published = Lot.objects.exclude(status__in=["draft", "pending_review"])
    assert published.exists() and all(lot.opening_key.shares.count() == 3 for lot in published)
    assert roles == {"bidder", "staff", "custodian", "expert", "supervisor", "regulator"}
    second = StringIO()
    call_command("load_demo", stdout=second)
    assert "already present" in second.getvalue()
    from bidding.demo import ACCOUNTS, EXPERTS
    from bidding.models import Expert

    assert User.objects.filter(username__startswith="demo_").count() == len(ACCOUNTS) + len(EXPERTS) - 1
    # A panel of 5 can be drawn from the demo pool for goods.
    assert Expert.objects.filter(specialties="goods").count() >= 5


@pytest.mark.django_db
def test_every_demo_lot_move_left_a_status_row_and_an_audit_event():
    from monitoring.models import AuditEntry

    call_command("load_demo", stdout=StringIO())
    for lot in Lot.objects.all():
        changes = list(lot.status_changes.values_list("target", flat=True))
        events = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="lot.status_changed")
        assert len(changes) == events.count()
        assert (changes[-1] if changes else "draft") == lot.status

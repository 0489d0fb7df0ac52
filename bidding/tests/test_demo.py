from datetime import timedelta
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
    assert roles == {"bidder", "staff", "custodian", "expert", "supervisor", "regulator", "company_admin",
                     "security_admin"}
    second = StringIO()
    call_command("load_demo", stdout=second)
    assert "already present" in second.getvalue()
    from bidding.demo import ACCOUNTS, BIDDERS, EXPERTS
    from bidding.evaluation.models import Expert

    assert User.objects.filter(username__startswith="demo_").count() == (len(ACCOUNTS) + len(BIDDERS)
                                                                         + len(EXPERTS) - 1)
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


@pytest.mark.django_db
def test_the_awarded_demo_lot_has_played_its_procedure_and_shows_its_result(client):
    from django.urls import reverse

    from bidding.demo import AWARDED
    from bidding.evaluation.models import Notice
    from bidding.sealed.models import Bid
    from monitoring.models import AuditEntry
    from trading import clock

    call_command("load_demo", stdout=StringIO())
    lot = Lot.objects.get(project__code=AWARDED)
    assert lot.status == Lot.Status.AWARDED and lot.publicity_end < clock.now()
    assert Bid.objects.filter(lot=lot, status=Bid.Status.VALID).count() == 3  # opened, then found valid
    # Its history happened in the past and the audit chain's times still follow its order.
    moves = list(AuditEntry.objects.filter(subject=f"lot:{lot.pk}").values_list("at", flat=True))
    assert max(moves) < clock.now() - timedelta(days=1)
    chain = list(AuditEntry.objects.order_by("id").values_list("at", flat=True))
    assert chain == sorted(chain)

    page = client.get(reverse("lot-detail", args=[lot.pk])).content.decode()
    result = reverse("lot-result", args=[lot.pk])
    assert f'href="{result}"' in page
    response = client.get(result)
    assert response.status_code == 200
    assert 'data-testid="award"' in response.content.decode() and "华建工程有限公司" in response.content.decode()
    assert len(response.context["result"]["candidates"]) == 3
    assert client.get(reverse("api-opening-record", args=[lot.pk])).status_code == 200

    client.post(reverse("login"), {"username": "demo_bidder", "password": "demo-bidder-2026"})
    notices = client.get(result).context["notices"]
    assert [notice.kind for notice in notices] == [Notice.Kind.AWARD]
    assert client.get(reverse("notice-pdf", args=[notices[0].pk])).status_code == 200

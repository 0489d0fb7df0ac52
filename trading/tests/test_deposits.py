"""Deposits recorded by staff, the rule table's cap, refund due dates on the calendar, overdue refunds."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from trading.errors import TradingError
from trading.models import Deposit, Rule, RuleCode, RuleUnit
from trading.selectors_registrations import deposits_refund_due, deposits_refund_overdue
from trading.services.deposits import (deposit_confirm, deposit_refund_due, deposit_refunded,
                                       deposits_release_for_lot)
from trading.services.registrations import registration_create, registration_withdraw
from trading.tests.builders import lot_tender
from trading.workdays import day_end

# Tuesday 29 September 2026, 15:00 in China: the day before the National Day holiday (1–7 October,
# with Saturday 10 October a make-up workday).
BEFORE_HOLIDAY = datetime(2026, 9, 29, 7, 0, tzinfo=UTC)


def _refund_rule(lot):
    return Rule.objects.get(market_id=lot.project.market_id, procedure__isnull=True, code=RuleCode.DEPOSIT_REFUND)


@pytest.mark.django_db
def test_staff_record_the_exact_deposit_once(clock, bidder_a, staff):
    lot = lot_tender()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    api = APIClient()
    api.force_authenticate(staff)
    url = f"/api/v1/registrations/{registration.pk}/deposit/"
    wrong = api.post(url, {"amount": "199999.99", "reference": "ICBC-1"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "deposit_amount_mismatch"
    assert not Deposit.objects.exists()
    created = api.post(url, {"amount": "200000", "reference": "ICBC-1"}, format="json")
    assert created.status_code == 201
    assert created.json()["amount"] == "200000.00" and created.json()["source"] == "staff"
    again = api.post(url, {"amount": "200000.00", "reference": "ICBC-2"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "deposit_exists"
    assert Deposit.objects.get().reference == "ICBC-1"


@pytest.mark.django_db
def test_staff_page_records_a_deposit_seen_to_arrive(clock, client, bidder_a, staff):
    lot = lot_tender()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    client.force_login(staff)
    page = client.get("/staff/registrations/").content.decode()
    assert f'data-registration="{registration.pk}"' in page
    url = f"/staff/registrations/{registration.pk}/deposit/"
    wrong = client.post(url, {"amount": "1000.00", "reference": "ICBC-9"})
    assert wrong.status_code == 409 and 'data-testid="error"' in wrong.content.decode()
    assert client.post(url, {"amount": "200000.00", "reference": "ICBC-9"}).status_code == 302
    assert Deposit.objects.get().recorded_by == f"user:{staff.pk}"
    assert f'data-registration="{registration.pk}"' not in client.get("/staff/registrations/").content.decode()
    client.force_login(bidder_a)
    assert 'data-status="received"' in client.get(f"/lots/{lot.pk}/registration/").content.decode()


@pytest.mark.django_db
def test_no_deposit_for_a_lot_that_asks_none_or_a_withdrawn_registration(clock, bidder_a, bidder_b):
    free = lot_tender("GC2026-002", deposit=Decimal("0"))
    registration = registration_create(lot_id=free.pk, user=bidder_a)
    with pytest.raises(TradingError) as caught:
        deposit_confirm(registration_id=registration.pk, amount=Decimal("0"), reference="X", actor="user:1")
    assert caught.value.code == "deposit_not_required"
    lot = lot_tender()
    withdrawn = registration_create(lot_id=lot.pk, user=bidder_b)
    registration_withdraw(registration_id=withdrawn.pk, user=bidder_b)
    with pytest.raises(TradingError) as caught:
        deposit_confirm(registration_id=withdrawn.pk, amount=lot.deposit, reference="X", actor="user:1")
    assert caught.value.code == "registration_not_active"


@pytest.mark.django_db
def test_a_deposit_above_the_rule_tables_cap_is_refused_naming_the_rule(clock, bidder_a):
    lot = lot_tender()  # 200,000 of 10,000,000: exactly the 2 % cap
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    # The cap is checked again when the deposit arrives: a row changed outside the rule-change service
    # (data from before it) leaves the lot demanding more than its cap, and the deposit is refused.
    Rule.objects.filter(market_id="construction", code=RuleCode.DEPOSIT_CAP).update(amount=1)
    with pytest.raises(TradingError) as caught:
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference="ICBC-1", actor="user:1")
    assert caught.value.code == "deposit_cap"
    assert "《招标投标法实施条例》第二十六条" in str(caught.value.message)
    assert "100,000.00 元" in str(caught.value.message)
    assert not Deposit.objects.exists()


@pytest.mark.django_db
def test_withdrawal_before_the_holiday_counts_calendar_days_through_it(clock, bidder_a):
    lot = lot_tender()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    deposit = deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference="ICBC-1", actor="user:1")
    assert _refund_rule(lot).unit == RuleUnit.CALENDAR_DAYS and _refund_rule(lot).amount == 5
    clock.move_to(BEFORE_HOLIDAY, tick=False)
    registration_withdraw(registration_id=registration.pk, user=bidder_a)
    deposit.refresh_from_db()
    assert deposit.status == Deposit.Status.REFUND_DUE
    # Art 57 counts calendar days: the fifth day after 29 September is 4 October, a holiday, and
    # the refund is due by its end (24:00 China time).
    assert deposit.refund_due_at == day_end(date(2026, 10, 4))
    assert deposit.refund_due_at == datetime(2026, 10, 4, 16, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_working_day_refund_rule_lands_after_the_holiday(clock, bidder_a):
    lot = lot_tender()
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    deposit = deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference="ICBC-1", actor="user:1")
    Rule.objects.filter(pk=_refund_rule(lot).pk).update(unit=RuleUnit.WORKING_DAYS)
    deposit = deposit_refund_due(registration_id=registration.pk, reason="withdrawn", actor="user:1",
                                 at=BEFORE_HOLIDAY)
    # 30 Sep (1), holiday 1–7 Oct, 8 Oct (2), 9 Oct (3), Saturday 10 Oct make-up day (4), 12 Oct (5).
    assert deposit.refund_due_at == day_end(date(2026, 10, 12))


@pytest.mark.django_db
def test_overdue_refunds_are_listed_and_highlighted_only_once_due(clock, client, bidder_a, bidder_b, staff):
    lot = lot_tender()
    deposits = {}
    for bidder in (bidder_a, bidder_b):
        registration = registration_create(lot_id=lot.pk, user=bidder)
        deposits[bidder.username] = deposit_confirm(registration_id=registration.pk, amount=lot.deposit,
                                                    reference=f"ICBC-{bidder.username}", actor="user:1")
    clock.move_to(BEFORE_HOLIDAY, tick=False)
    registration_withdraw(registration_id=deposits["bidder_a"].registration_id, user=bidder_a)
    client.force_login(staff)

    clock.move_to(datetime(2026, 10, 4, 15, 59, 59, tzinfo=UTC), tick=False)  # 23:59:59 on the last day
    page = client.get("/staff/refunds/").content.decode()
    assert f'data-deposit="{deposits["bidder_a"].pk}"' in page and 'data-overdue="1"' not in page
    assert f'data-deposit="{deposits["bidder_b"].pk}"' not in page
    assert not deposits_refund_overdue().exists()

    clock.move_to(datetime(2026, 10, 4, 16, 0, tzinfo=UTC), tick=False)
    page = client.get("/staff/refunds/").content.decode()
    assert 'data-overdue="1"' in page and 'data-testid="overdue-count"' in page
    assert list(deposits_refund_overdue()) == [deposits["bidder_a"]]

    assert client.post(f"/staff/refunds/{deposits['bidder_a'].pk}/refunded/", {"reference": ""}).status_code == 400
    assert client.post(f"/staff/refunds/{deposits['bidder_a'].pk}/refunded/",
                       {"reference": "ICBC-R1"}).status_code == 302
    refunded = Deposit.objects.get(pk=deposits["bidder_a"].pk)
    assert (refunded.status, refunded.refund_reference) == (Deposit.Status.REFUNDED, "ICBC-R1")
    assert not deposits_refund_due().exists()
    with pytest.raises(TradingError) as caught:
        deposit_refunded(deposit_id=refunded.pk, reference="again", actor="user:1")
    assert caught.value.code == "deposit_already_refunded"


@pytest.mark.django_db
def test_release_for_the_lot_keeps_the_winners_deposit(clock, bidder_a, bidder_b, make_person):
    lot = lot_tender()
    bidder_c = make_person("bidder_c", ["bidder"], organisation="丙建筑有限公司")
    for bidder in (bidder_a, bidder_b, bidder_c):
        registration = registration_create(lot_id=lot.pk, user=bidder)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=bidder.username, actor="user:1")
    at = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    released = deposits_release_for_lot(lot_id=lot.pk, keep_organisation_ids=[bidder_a.organisation_id],
                                        actor="system:test", at=at)
    assert {d.registration.organisation_id for d in released} == {bidder_b.organisation_id, bidder_c.organisation_id}
    assert all(d.refund_due_at == day_end(date(2026, 11, 7)) for d in released)
    kept = Deposit.objects.get(registration__organisation=bidder_a.organisation)
    assert kept.status == Deposit.Status.RECEIVED
    assert deposits_release_for_lot(lot_id=lot.pk, keep_organisation_ids=[bidder_a.organisation_id],
                                    actor="system:test", at=at) == []


@pytest.mark.django_db
def test_refund_list_api_is_paginated_with_a_fixed_number_of_queries(clock, make_person, staff,
                                                                    django_assert_num_queries):
    lot = lot_tender()
    for i in range(4):
        bidder = make_person(f"payer{i}", ["bidder"], organisation=f"付款单位{i}")
        registration = registration_create(lot_id=lot.pk, user=bidder)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"R{i}", actor="user:1")
        deposit_refund_due(registration_id=registration.pk, reason="withdrawn", actor="user:1",
                           at=BEFORE_HOLIDAY + timedelta(days=i))
    api = APIClient()
    api.force_authenticate(staff)
    staff.has_role("staff")  # roles are cached on the user; the request should not reload them
    # One count for the paginator, one page of deposits with their registration, lot and organisation.
    with django_assert_num_queries(2):
        response = api.get("/api/v1/deposits/refunds/")
    body = response.json()
    assert body["count"] == 4 and [r["reference"] for r in body["results"]] == ["R0", "R1", "R2", "R3"]
    assert body["results"][0]["lot_code"] == lot.code and body["results"][0]["overdue"] is False
    clock.move_to(datetime(2026, 10, 5, 0, 0, tzinfo=UTC), tick=False)
    overdue = api.get("/api/v1/deposits/refunds/?overdue=true").json()
    assert [r["reference"] for r in overdue["results"]] == ["R0"] and overdue["results"][0]["overdue"] is True

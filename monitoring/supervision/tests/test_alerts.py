"""Alerts of electronic supervision on the real calendar: a step nearing its limit is yellow, an
overdue one red (and every regulator is told), a regulator acknowledges it with a comment, the step
done resolves it; events raise alerts by themselves; the sweep is idempotent; every change is on
the record under ``alerts`` and never under the lot's public subject."""
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from bidding.evaluation.models import Contract
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish, contract_record
from bidding.sealed.services.opening import opening_start
from monitoring.events import record
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert
from monitoring.supervision.rules import yellow_from
from monitoring.supervision.services import AlertError, alert_acknowledge, alerts_sweep
from monitoring.supervision.tests.conftest import at, china
from trading import clock
from trading.accounts.services.roles import role_grant
from trading.errors import AccountError
from trading.models import Lot, Notification
from trading.services.lots import lot_due_sweep
from trading.services.objections import objection_reply
from trading.workdays import WORKING_DAYS, WorkCalendar, calendar_current, local_day

pytestmark = pytest.mark.django_db
NOTHING = {"raised": 0, "escalated": 0, "resolved": 0}


def alerts_of(rule: str):
    return Alert.objects.filter(rule=rule)


def alert_events():
    return list(AuditEntry.objects.filter(subject="alerts").order_by("pk").values_list("kind", "data"))


def acknowledge_by_api(user, alert, comment="已督促招标人当日答复。"):
    client = APIClient()
    client.force_login(user)
    return client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"comment": comment}, format="json")


def test_the_real_calendar_moves_the_yellow_threshold_before_a_holiday():
    limit = china(2026, 10, 3, 0, 0)  # 24:00 on Friday 2 October, in the National Day holiday
    plain_weeks = WorkCalendar(exceptions={}, confirmed_years=frozenset())
    assert yellow_from(limit=limit, amount=1, unit=WORKING_DAYS, calendar=plain_weeks) == china(2026, 10, 2, 0, 0)
    # 1 and 2 October are holidays: the last working day before the limit is Wednesday 30 September.
    assert yellow_from(limit=limit, amount=1, unit=WORKING_DAYS, calendar=calendar_current()) == china(2026, 9, 30)


def test_an_unanswered_objection_turns_yellow_then_red_is_acknowledged_and_resolves_with_the_reply(
        objection, regulator, staff):
    lot = objection.lot
    assert objection.reply_due_at == china(2026, 10, 3)
    with at(2026, 9, 29, 18, 0):
        alerts_sweep()
    assert not alerts_of("documents_objection_reply").exists()

    with at(2026, 9, 30, 9, 0):  # one working day before the limit, on the real calendar
        assert alerts_sweep()["raised"] >= 1
    alert = alerts_of("documents_objection_reply").get()
    assert (alert.level, alert.state, alert.lot, alert.market_id, alert.due_at, alert.subject) == (
        "yellow", "open", lot, "construction", objection.reply_due_at, f"objection:{objection.pk}")
    assert not Notification.objects.filter(user=regulator, kind="alert.red").exists()

    with at(2026, 10, 3, 0, 30):  # the limit has passed
        assert alerts_sweep()["escalated"] == 1
        assert alerts_sweep() == NOTHING
    alert.refresh_from_db()
    assert (alert.level, alert.state, alert.escalated_at) == ("red", "open", china(2026, 10, 3, 0, 30))
    notice = Notification.objects.get(user=regulator, kind="alert.red")
    assert notice.link == f"/supervision/alerts/{alert.pk}/" and lot.code in notice.body_zh
    assert not Notification.objects.filter(user=staff, kind="alert.red").exists()

    with at(2026, 10, 3, 9, 0):
        response = acknowledge_by_api(regulator, alert)
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["acknowledged_by"]) == ("acknowledged", f"user:{regulator.pk}")

    with at(2026, 10, 8, 10, 0):
        objection_reply(objection_id=objection.pk, reply="以资格条件为准。", actor=f"user:{staff.pk}")
        assert alerts_sweep()["resolved"] == 1
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by, alert.acknowledgement) == ("resolved", "system:alerts", "已督促招标人当日答复。")

    mine = [(kind, data) for kind, data in alert_events() if data["alert"] == alert.pk]
    assert [kind for kind, _data in mine] == ["alert.raised", "alert.escalated", "alert.acknowledged", "alert.resolved"]
    assert [data["level"] for _kind, data in mine] == ["yellow", "red", "red", "red"]
    assert all(data["market"] == "construction" and data["lot"] == lot.pk for _kind, data in mine)
    # Nothing about alerts reaches the lot's public subject or the objection's.
    assert not AuditEntry.objects.filter(kind__startswith="alert.").exclude(subject="alerts").exists()


def test_a_contract_not_signed_in_time_turns_yellow_then_red_and_resolves_when_recorded(
        lot_in_evaluation, evaluate, regulator):
    lot, _bidders = lot_in_evaluation(["900000.00", "950000.00", "980000.00"])
    evaluate(lot)
    candidates_publish(lot_id=lot.pk, actor="user:1")
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    award_review(proposal_id=award_propose(lot_id=lot.pk, actor="user:1").pk, user=regulator, approve=True)
    contract = Contract.objects.get()
    yellow_at = yellow_from(limit=contract.due_at, amount=1, unit=WORKING_DAYS, calendar=calendar_current())

    with time_machine.travel(yellow_at - timedelta(minutes=1), tick=False):
        alerts_sweep()
        assert not alerts_of("contract_signing").exists()
    with time_machine.travel(yellow_at, tick=False):
        alerts_sweep()
        assert alerts_of("contract_signing").get().level == "yellow"
    with time_machine.travel(contract.due_at, tick=False):
        alerts_sweep()
        alert = alerts_of("contract_signing").get()
        assert (alert.level, alert.subject, alert.due_at) == ("red", f"contract:{contract.pk}", contract.due_at)
        contract_record(lot_id=lot.pk, signed_on=local_day(clock.now()), amount="900000.00", reference="HT-1",
                        actor="user:1")
        alerts_sweep()
    alert.refresh_from_db()
    assert alert.state == "resolved"


def test_only_a_regulator_acknowledges_with_a_comment_and_each_refusal_is_recorded(objection, regulator, staff,
                                                                                   bidder_b):
    with at(2026, 10, 3, 1, 0):
        alerts_sweep()
    alert = alerts_of("documents_objection_reply").get()

    response = acknowledge_by_api(staff, alert)
    assert (response.status_code, response.json()["code"]) == (403, "staff_cannot_acknowledge")
    response = acknowledge_by_api(bidder_b, alert)
    assert (response.status_code, response.json()["code"]) == (403, "not_a_regulator")
    response = acknowledge_by_api(regulator, alert, comment="   ")
    assert response.status_code == 400
    with pytest.raises(AlertError) as caught:
        alert_acknowledge(alert_id=alert.pk, user=regulator, comment="  ")
    assert caught.value.code == "comment_required"
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by) == ("open", "")
    refused = AuditEntry.objects.filter(kind="alert.acknowledge_refused").order_by("pk")
    assert [(entry.actor, entry.data["code"]) for entry in refused] == [
        (f"user:{staff.pk}", "staff_cannot_acknowledge"), (f"user:{bidder_b.pk}", "not_a_regulator")]

    assert acknowledge_by_api(regulator, alert).status_code == 200
    response = acknowledge_by_api(regulator, alert)
    assert (response.status_code, response.json()["code"]) == (409, "alert_acknowledged")
    assert Alert.objects.filter(pk=alert.pk).exists()  # never deleted


def test_the_regulator_acknowledges_on_the_alert_page(client, objection, regulator, staff):
    with at(2026, 10, 3, 1, 0):
        alerts_sweep()
    alert = alerts_of("documents_objection_reply").get()

    client.force_login(staff)
    page = client.get(f"/supervision/alerts/{alert.pk}/")
    assert page.status_code == 200 and b"acknowledge-form" not in page.content
    client.force_login(regulator)
    page = client.get(f"/supervision/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b"acknowledge-form" in page.content and b"Objection to the tender documents not answered" in page.content
    assert client.post(f"/supervision/alerts/{alert.pk}/", {"comment": ""}).status_code == 400
    response = client.post(f"/supervision/alerts/{alert.pk}/", {"comment": "已电话督办。"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledgement, alert.acknowledged_by) == (
        "acknowledged", "已电话督办。", f"user:{regulator.pk}")
    page = client.get(response.url)
    assert "已电话督办。" in page.content.decode() and b"acknowledge-form" not in page.content


def test_a_failed_custodian_passphrase_raises_an_alert_the_acknowledgement_settles(make_lot, publish_sealed,
                                                                                 custodians, regulator):
    lot = publish_sealed(make_lot("construction"))
    custodian = custodians[0]
    # The event as bidding's opening records it when a custodian's passphrase does not unlock their
    # key (bidding/sealed/tests/test_opening.py holds the producer to it): under the custodian's subject.
    with transaction.atomic():
        entry = record(kind="custodian.passphrase_failed", actor=f"user:{custodian.pk}", subject=f"user:{custodian.pk}",
                       data={"lot": lot.pk, "session": 7, "note": "not kept by the alert"})
    assert alerts_sweep()["raised"] == 1
    assert alerts_sweep() == NOTHING
    alert = alerts_of("custodian_passphrase_failed").get()
    assert (alert.level, alert.lot, alert.market_id, alert.subject, alert.due_at) == (
        "yellow", lot, "construction", f"user:{custodian.pk}", None)
    assert alert.data == {"entry": entry.pk, "kind": "custodian.passphrase_failed", "actor": f"user:{custodian.pk}",
                          "at": entry.at.isoformat(), "lot": lot.pk, "session": 7}
    alert = alert_acknowledge(alert_id=alert.pk, user=regulator, comment="保管人输错口令，已核实本人操作。")
    assert (alert.state, alert.resolved_by) == ("resolved", f"user:{regulator.pk}")
    with pytest.raises(AlertError) as caught:
        alert_acknowledge(alert_id=alert.pk, user=regulator, comment="再次确认")
    assert caught.value.code == "alert_resolved"


def test_a_refused_role_grant_raises_an_alert_about_no_lot(bidder_a, bidder_b):
    with pytest.raises(AccountError):
        role_grant(user=bidder_b, role="regulator", reason="想看看", grantor=bidder_a)
    alerts_sweep()
    alert = alerts_of("role_refused").get()
    assert (alert.level, alert.lot, alert.market, alert.subject) == ("yellow", None, None, f"user:{bidder_b.pk}")
    assert (alert.data["role"], alert.data["code"]) == ("regulator", "not_allowed_to_grant")


def test_an_opening_started_late_is_red_and_its_start_resolves_the_waiting_alert(closed_lot):
    lot = closed_lot
    with time_machine.travel(lot.bid_deadline + timedelta(minutes=20), tick=False):
        alerts_sweep()
        assert not alerts_of("opening_start").exists()  # within the grace, and no yellow for it
    with time_machine.travel(lot.bid_deadline + timedelta(minutes=45), tick=False):
        alerts_sweep()
        waiting = alerts_of("opening_start").get()
        assert (waiting.level, waiting.due_at) == ("red", lot.bid_deadline + timedelta(minutes=30))
        opening_start(lot_id=lot.pk, actor="user:1")
        alerts_sweep()
    waiting.refresh_from_db()
    assert waiting.state == "resolved"
    late = alerts_of("opening_late").get()
    assert (late.level, late.lot_id, late.data["kind"]) == ("red", lot.pk, "session.started")


def test_the_sweep_is_idempotent(objection, bidder_a, bidder_b):
    with pytest.raises(AccountError):
        role_grant(user=bidder_b, role="staff", reason="x", grantor=bidder_a)
    with at(2026, 10, 3, 1, 0):
        first = alerts_sweep()
        events = AuditEntry.objects.filter(subject="alerts").count()
        assert alerts_sweep() == NOTHING
        assert alerts_sweep() == NOTHING
    assert first["raised"] == Alert.objects.count() >= 2
    assert AuditEntry.objects.filter(subject="alerts").count() == events
    assert Lot.objects.get(pk=objection.lot_id).alerts.count() == 1

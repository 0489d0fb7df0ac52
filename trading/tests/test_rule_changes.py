"""Changing the rule table (issue 17): never beyond the law, always by two members of staff, audited,
and in force only for lots published after the change."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from monitoring.models import AuditEntry
from trading.errors import AccountError, TradingError
from trading.models import Notification, Rule, RuleChange
from trading.selectors_calendar import lot_published_at, rule_get
from trading.selectors_objections import objection_deadline
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create
from trading.services.rules import rule_change_decide, rule_change_propose
from trading.tests.builders import lot_tender

pytestmark = pytest.mark.django_db

REASON = "本市规定延长"


def verified(user) -> Client:
    """A browser signed in as ``user`` (the test client's sign-in gives the second factor too)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_2(make_person):
    return make_person("staff_2", ["staff"])


def _rule(code: str, market: str = "construction", procedure: str | None = "open_tender") -> Rule:
    return rule_get(market=market, procedure=procedure, code=code)


def refused(code: str, call, **kwargs) -> AccountError:
    with pytest.raises(AccountError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _numbers(rule: Rule) -> tuple:
    rule = Rule.objects.get(pk=rule.pk)
    return rule.amount, rule.denominator, rule.odd_only, rule.updated_by


@pytest.mark.parametrize("code, amount, denominator, odd_only, limit", [
    ("bid_preparation", 15, 1, None, "at least 20 calendar days"),
    ("deposit_cap", 3, 1, None, "at most 2 percent"),
    ("committee_size", 4, 1, None, "at least 5 count"),
    ("committee_size", 6, 1, True, "at least 5 count"),  # the law wants an odd number (单数)
    ("committee_size", 7, 1, False, "at least 5 count"),  # nor may the odd-only rule be dropped
    ("committee_experts", 3, 5, None, "at least 2/3"),
    ("complaint_decision", 31, 1, None, "at most 30 working days"),
])
def test_a_change_beyond_the_law_is_refused_recorded_and_changes_nothing(staff, code, amount, denominator,
                                                                        odd_only, limit):
    rule = _rule(code)
    before = _numbers(rule)
    with translation.override("en"):
        error = refused("rule_below_legal_limit", rule_change_propose, rule_id=rule.pk, amount=amount,
                        denominator=denominator, odd_only=odd_only, reason=REASON, proposer=staff)
    assert limit in str(error.message) and rule.source in str(error.message)
    assert error.status == 403
    event = AuditEntry.objects.get(kind="rule.refused")
    assert (event.subject, event.actor, event.data["code"], event.data["amount"]) == (
        f"rule:{rule.pk}", f"user:{staff.pk}", "rule_below_legal_limit", amount)
    assert _numbers(rule) == before and not RuleChange.objects.exists()


@pytest.mark.parametrize("code, amount, denominator, odd_only, error", [
    ("committee_experts", 4, 3, None, "rule_fraction"),
    ("committee_size", 5, 2, None, "rule_denominator"),
    ("bid_preparation", 21, 1, True, "rule_odd_only"),
    ("bid_preparation", 20, 1, None, "rule_change_nothing"),
])
def test_numbers_that_cannot_be_a_rule_are_refused_as_input(staff, code, amount, denominator, odd_only, error):
    rule = _rule(code)
    refused(error, rule_change_propose, rule_id=rule.pk, amount=amount, denominator=denominator, odd_only=odd_only,
            reason=REASON, proposer=staff)
    assert not RuleChange.objects.exists() and not AuditEntry.objects.filter(kind__startswith="rule.").exists()


def test_a_lawful_change_takes_a_second_member_of_staff(staff, staff_2, bidder_a):
    rule = _rule("bid_preparation")
    refused("rule_change_not_staff", rule_change_propose, rule_id=rule.pk, amount=25, reason=REASON,
            proposer=bidder_a)
    refused("reason_missing", rule_change_propose, rule_id=rule.pk, amount=25, reason="  ", proposer=staff)
    change = rule_change_propose(rule_id=rule.pk, amount=25, reason=REASON, proposer=staff)
    assert (change.status, change.previous_amount, change.amount) == ("proposed", 20, 25)
    assert _rule("bid_preparation").amount == 20  # nothing holds until a second person approves
    refused("rule_change_pending", rule_change_propose, rule_id=rule.pk, amount=30, reason=REASON, proposer=staff_2)

    refused("same_person_approves", rule_change_decide, change_id=change.pk, decider=staff, approve=True)
    refused("rule_change_not_staff", rule_change_decide, change_id=change.pk, decider=bidder_a, approve=True)
    refusals = AuditEntry.objects.filter(kind="rule.refused", subject=f"rule:{rule.pk}").order_by("id")
    assert [(e.actor, e.data["action"], e.data["code"]) for e in refusals] == [
        (f"user:{bidder_a.pk}", "propose", "rule_change_not_staff"),
        (f"user:{staff.pk}", "decide", "same_person_approves"),
        (f"user:{bidder_a.pk}", "decide", "rule_change_not_staff")]
    assert _rule("bid_preparation").amount == 20

    change = rule_change_decide(change_id=change.pk, decider=staff_2, approve=True)
    assert (change.status, change.decided_by) == ("approved", f"user:{staff_2.pk}")
    assert _numbers(rule) == (25, 1, False, f"user:{staff_2.pk}")
    changed = AuditEntry.objects.get(kind="rule.changed")
    assert (changed.subject, changed.data["before"]["amount"], changed.data["after"]["amount"],
            changed.data["proposed_by"]) == (f"rule:{rule.pk}", 20, 25, f"user:{staff.pk}")
    assert AuditEntry.objects.filter(kind="rule.change_proposed", subject=f"rule:{rule.pk}").count() == 1
    notice = Notification.objects.get(user=staff, kind__startswith="rule.")
    assert notice.kind == "rule.change_approved" and "25" in notice.body_en and notice.title_zh
    refused("rule_change_decided", rule_change_decide, change_id=change.pk, decider=staff_2, approve=False,
            reason="晚了")


def test_a_refusal_needs_a_reason_and_leaves_the_rule(staff, staff_2):
    rule = _rule("deposit_refund")
    change = rule_change_propose(rule_id=rule.pk, amount=3, reason="加快退还", proposer=staff)
    refused("reason_missing", rule_change_decide, change_id=change.pk, decider=staff_2, approve=False)
    change = rule_change_decide(change_id=change.pk, decider=staff_2, approve=False, reason="银行处理需要时间")
    assert (change.status, change.decision_reason) == ("refused", "银行处理需要时间")
    assert _numbers(rule)[0] == 5
    assert AuditEntry.objects.get(kind="rule.change_refused").data["decision_reason"] == "银行处理需要时间"
    assert Notification.objects.get(user=staff, kind__startswith="rule.").kind == "rule.change_refused"


def _approve(code: str, amount: int, staff, staff_2) -> None:
    change = rule_change_propose(rule_id=_rule(code).pk, amount=amount, reason=REASON, proposer=staff)
    rule_change_decide(change_id=change.pk, decider=staff_2, approve=True)


def test_an_approved_change_holds_for_lots_published_after_it_only(clock, staff, staff_2, bidder_a):
    before = lot_tender("GC2026-001")
    clock.shift(timedelta(days=1))
    _approve("documents_objection", 12, staff, staff_2)  # objections close 12 days before the deadline, not 10
    _approve("deposit_cap", 1, staff, staff_2)  # a deposit of at most 1 percent, not 2
    clock.shift(timedelta(days=1))
    after = lot_tender("GC2026-002", deposit=Decimal("100000.00"))

    published = lot_published_at(lot=before)
    assert rule_get(market="construction", procedure="open_tender", code="documents_objection", at=published).amount \
        == 10
    assert _rule("documents_objection").amount == 12
    assert objection_deadline(lot=after).last_day == objection_deadline(lot=before).last_day - timedelta(days=2)
    # The lot published under the 2 percent cap still takes its 2 percent deposit.
    registration = registration_create(lot_id=before.pk, user=bidder_a)
    assert deposit_confirm(registration_id=registration.pk, amount=before.deposit, reference="ICBC-1",
                           actor=f"user:{staff.pk}").amount == Decimal("200000.00")
    # A lot created now is held to the new cap.
    with pytest.raises(TradingError) as caught:
        lot_tender("GC2026-003")
    assert caught.value.code == "deposit_cap"


def test_the_rules_pages_show_the_law_and_take_a_change_by_two_people(staff, staff_2):
    rule = _rule("bid_preparation")
    for language in ("zh-hans", "en"):
        table = Client().get(reverse("rules"), HTTP_ACCEPT_LANGUAGE=language)
        assert table.status_code == 200 and f'data-rule="{rule.pk}"' in table.content.decode()
    english = Client().get(reverse("rule-detail", args=[rule.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at least 20 calendar days" in english and rule.source in english
    assert 'data-testid="propose"' not in english  # the public reads, staff propose

    first, second = verified(staff), verified(staff_2)
    url = reverse("rule-propose", args=[rule.pk])
    below = first.post(url, {"amount": 15, "reason": REASON}, HTTP_ACCEPT_LANGUAGE="en")
    assert below.status_code == 403 and "at least 20 calendar days" in below.content.decode()
    assert first.post(url, {"amount": 25, "reason": REASON}).status_code == 302
    own = first.get(reverse("rule-detail", args=[rule.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="pending"' in own and 'data-testid="decide"' not in own

    change = RuleChange.objects.get(rule=rule)
    decide = reverse("rule-change-decide", args=[change.pk])
    assert first.post(decide, {"decision": "approve"}).status_code == 403
    assert second.post(decide, {"decision": "approve"}).status_code == 302
    assert _rule("bid_preparation").amount == 25
    public = Client().get(reverse("rule-detail", args=[rule.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-change="{change.pk}" data-status="approved"' in public and "Holds for lots published from" in public
    assert 'data-testid="pending"' not in public


def test_the_api_reads_the_table_and_takes_proposals_and_decisions(staff, staff_2, django_assert_num_queries):
    rule = _rule("committee_size", procedure=None)
    api = APIClient()
    with django_assert_num_queries(3):  # the count, the page with markets and procedures, their changes
        listed = api.get(reverse("api-rules"), {"market": "construction"}).json()
    row = next(r for r in listed["results"] if r["id"] == rule.pk)
    assert (row["amount"], row["legal_odd_only"], row["source"]) == (5, True, rule.source)
    assert api.post(reverse("api-rule-changes", args=[rule.pk]), {"amount": 7, "reason": REASON}).status_code == 401

    api.force_authenticate(staff)
    even = api.post(reverse("api-rule-changes", args=[rule.pk]), {"amount": 6, "reason": REASON})
    assert (even.status_code, even.json()["code"]) == (403, "rule_below_legal_limit")
    proposed = api.post(reverse("api-rule-changes", args=[rule.pk]), {"amount": 7, "reason": REASON})
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    decision = reverse("api-rule-change-decision", args=[proposed.json()["id"]])
    own = api.post(decision, {"approve": True})
    assert (own.status_code, own.json()["code"]) == (403, "same_person_approves")
    assert api.get(reverse("api-rule", args=[rule.pk])).json()["pending"]["amount"] == 7

    api.force_authenticate(staff_2)
    approved = api.post(decision, {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    detail = APIClient().get(reverse("api-rule", args=[rule.pk])).json()
    assert (detail["amount"], detail["pending"]) == (7, None)
    assert [(c["previous_amount"], c["amount"], c["status"]) for c in detail["history"]] == [(5, 7, "approved")]


def test_nobody_changes_a_rule_in_the_admin(staff, admin_user):
    rule = _rule("listing_period", market="land", procedure="listing_timed_bidding")
    form = {"market": "land", "procedure": rule.procedure_id, "code": rule.code, "amount": 12, "denominator": 1,
            "unit": rule.unit, "sense": rule.sense, "source": rule.source}
    change_url = reverse("admin:trading_rule_change", args=[rule.pk])
    assert verified(staff).post(change_url, form).status_code == 403
    admin = verified(admin_user)
    assert admin.post(change_url, form).status_code == 403
    assert admin.post(reverse("admin:trading_rule_add"), form).status_code == 403
    listing = admin.get(reverse("admin:trading_rule_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("rules") in listing
    assert admin.get(change_url).status_code == 200  # shown, read-only
    assert Rule.objects.get(pk=rule.pk).amount == 10

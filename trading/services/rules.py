"""Changing a number of the rule table: two people, within the law, for lots published afterwards.

A member of the centre's staff proposes a new number with a reason (``rule_change_propose``); a
second member of staff approves or refuses it (``rule_change_decide``). The second person is staff
rather than a security administrator: the rule table is the centre's business (管办分离 keeps the
security administrators to accounts and roles), and the legal limit, not the approver, keeps the
number lawful. An approved change holds from its decision on, for lots published from then on
(``trading.selectors_calendar.rule_get(at=...)``); lots already published keep the rule they were
published under.

Refused moves, each with its code, leave an audit event (``rule.refused``) committed before the
refusal is raised, so the attempt is on the record and nothing else changes:

- ``rule_change_not_staff``: only the centre's staff propose or decide;
- ``rule_below_legal_limit``: the number is beyond the statutory floor (an "at least" rule) or
  ceiling (an "at most" one), or is even where the law wants an odd number;
- ``same_person_approves``: the proposer does not decide their own proposal.

Input that cannot be a rule (a fraction above one, a denominator or parity on a rule that has none,
no reason) is refused with a 400 and no event: nothing was attempted.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.events import actor_of, record
from trading import clock
from trading.errors import AccountError
from trading.models import Role, Rule, RuleChange, RuleCode, RuleUnit, User
from trading.selectors_calendar import rule_as_seeded
from trading.services.notifications import notify

REASON_MAX = 2000


def _refuse(*, code: str, message, rule: Rule, actor: str, action: str, data: dict | None = None) -> None:
    with transaction.atomic():
        record(kind="rule.refused", actor=actor, subject=f"rule:{rule.pk}",
               data={"action": action, "code": code, "rule": rule.code, **(data or {})})
    raise AccountError(code, message)


def _numbers(amount: int, denominator: int, odd_only: bool) -> dict:
    return {"amount": amount, "denominator": denominator, "odd_only": odd_only}


def _staff_check(person: User, *, rule: Rule, actor: str, action: str) -> None:
    if not person.has_role(Role.STAFF):
        _refuse(code="rule_change_not_staff", message=_("Only the trading centre's staff change the rule table."),
                rule=rule, actor=actor, action=action)


# The columns' limits (PositiveIntegerField, PositiveSmallIntegerField).
AMOUNT_MAX = 2**31 - 1
DENOMINATOR_MAX = 2**15 - 1


def _candidate(rule: Rule, *, amount: int, denominator: int, odd_only: bool) -> Rule:
    """``rule`` with the proposed numbers, checked as the model checks a rule; not saved."""
    if not (1 <= amount <= AMOUNT_MAX and 1 <= denominator <= DENOMINATOR_MAX):
        raise AccountError("rule_amount_invalid", _("A rule's numbers are whole numbers of at least 1 (at most "
                                                    "%(amount)s, over at most %(denominator)s).")
                           % {"amount": AMOUNT_MAX, "denominator": DENOMINATOR_MAX}, status=400)
    candidate = Rule(**{field.attname: getattr(rule, field.attname) for field in Rule._meta.concrete_fields})
    candidate.amount, candidate.denominator, candidate.odd_only = amount, denominator, odd_only
    candidate.market, candidate.procedure = rule.market, rule.procedure
    try:
        candidate.clean()
    except ValidationError as error:
        refusal = AccountError.from_validation(error)
        refusal.status = 400
        raise refusal from None
    return candidate


def _law_check(rule: Rule, candidate: Rule, *, actor: str) -> None:
    """Refuse a number the law does not allow. The law is the rule as seeded (``rule_as_seeded``):
    its limit over its own denominator, and its parity (a committee of five or more, 单数)."""
    law = rule_as_seeded(rule=rule)
    odd_by_law = law.legal_amount is not None and law.odd_only
    if law.within_law(candidate.amount, candidate.denominator) and not (
            odd_by_law and (not candidate.odd_only or candidate.amount % 2 == 0)):
        return
    params = {"rule": rule.get_code_display(), "source": rule.source_text, "limit": law.legal_text,
              "proposed": candidate.amount_text}
    if odd_by_law:
        message = _("The law (%(source)s) sets “%(rule)s” at %(limit)s, an odd number: %(proposed)s is outside "
                    "that limit and cannot be proposed.") % params
    else:
        message = _("The law (%(source)s) sets “%(rule)s” at %(limit)s: %(proposed)s is outside that limit and "
                    "cannot be proposed.") % params
    _refuse(code="rule_below_legal_limit", message=message, rule=rule, actor=actor, action="propose",
            data={**_numbers(candidate.amount, candidate.denominator, candidate.odd_only),
                  "legal_amount": law.legal_amount, "legal_denominator": law.denominator})


def rule_change_propose(*, rule_id: int, amount: int, denominator: int = 1, odd_only: bool | None = None,
                        reason: str, proposer: User) -> RuleChange:
    """Propose new numbers for a rule; they wait for a second member of staff. ``odd_only`` None
    keeps the rule's."""
    actor = actor_of(proposer)
    rule = Rule.objects.select_related("market", "procedure").filter(pk=rule_id).first()
    if rule is None:
        raise AccountError("rule_not_found", _("There is no such rule."), status=404)
    _staff_check(proposer, rule=rule, actor=actor, action="propose")
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise AccountError("reason_missing", _("Say why the rule should change."), status=400)
    candidate = _candidate(rule, amount=amount, denominator=denominator,
                           odd_only=rule.odd_only if odd_only is None else odd_only)
    _law_check(rule, candidate, actor=actor)
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(pk=rule_id)
        if (candidate.amount, candidate.denominator, candidate.odd_only) == (rule.amount, rule.denominator,
                                                                             rule.odd_only):
            raise AccountError("rule_change_nothing", _("The rule already has these numbers."), status=400)
        if rule.changes.filter(status=RuleChange.Status.PROPOSED).exists():
            raise AccountError("rule_change_pending", _("A change of this rule already awaits a second person: "
                                                        "it is approved or refused first."), status=409)
        change = RuleChange.objects.create(
            rule=rule, amount=candidate.amount, denominator=candidate.denominator, odd_only=candidate.odd_only,
            previous_amount=rule.amount, previous_denominator=rule.denominator, previous_odd_only=rule.odd_only,
            reason=reason, proposed_by=actor, proposed_at=clock.now())
        record(kind="rule.change_proposed", actor=actor, subject=f"rule:{rule.pk}",
               data={"change": change.pk, "rule": rule.code, "reason": reason,
                     "before": _numbers(rule.amount, rule.denominator, rule.odd_only),
                     "after": _numbers(change.amount, change.denominator, change.odd_only)})
    return change


def rule_change_decide(*, change_id: int, decider: User, approve: bool, reason: str = "") -> RuleChange:
    """A second member of staff approves or refuses a proposal. An approval writes the numbers into
    the rule; it holds from ``decided_at`` for lots published from then on."""
    actor = actor_of(decider)
    change = RuleChange.objects.select_related("rule").filter(pk=change_id).first()
    if change is None:
        raise AccountError("rule_change_not_found", _("There is no such rule change."), status=404)
    _staff_check(decider, rule=change.rule, actor=actor, action="decide")
    if actor == change.proposed_by:
        _refuse(code="same_person_approves", message=_("You proposed this change: a second person decides it."),
                rule=change.rule, actor=actor, action="decide", data={"change": change.pk})
    reason = (reason or "").strip()[:REASON_MAX]
    if not approve and not reason:
        raise AccountError("reason_missing", _("Say why the change is refused."), status=400)
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(pk=change.rule_id)
        change = RuleChange.objects.select_for_update().get(pk=change_id)
        if change.status != RuleChange.Status.PROPOSED:
            raise AccountError("rule_change_decided", _("This change was already decided."), status=409)
        now = clock.now()
        change.decided_by, change.decided_at, change.decision_reason = actor, now, reason
        data = {"change": change.pk, "rule": rule.code, "reason": change.reason, "proposed_by": change.proposed_by,
                "decision_reason": reason,
                "before": _numbers(change.previous_amount, change.previous_denominator, change.previous_odd_only),
                "after": _numbers(change.amount, change.denominator, change.odd_only)}
        if approve:
            change.status = RuleChange.Status.APPROVED
            rule.amount, rule.denominator, rule.odd_only = change.amount, change.denominator, change.odd_only
            rule.updated_at, rule.updated_by = now, actor
            rule.save(update_fields=["amount", "denominator", "odd_only", "updated_at", "updated_by"])
            record(kind="rule.changed", actor=actor, subject=f"rule:{rule.pk}",
                   data={**data, "holds_from": now.isoformat()})
        else:
            change.status = RuleChange.Status.REFUSED
            record(kind="rule.change_refused", actor=actor, subject=f"rule:{rule.pk}", data=data)
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _proposer_notify(change, rule)
    return change


def _proposer_notify(change: RuleChange, rule: Rule) -> None:
    """Tell the proposer how their proposal was decided (in both languages: the values stay lazy)."""
    proposer = (User.objects.filter(pk=change.proposed_by.removeprefix("user:")).first()
                if change.proposed_by.startswith("user:") else None)
    if proposer is None:
        return
    if change.status == RuleChange.Status.APPROVED:
        title = gettext_lazy("Your change of the rule “%(rule)s” was approved")
        body = gettext_lazy("It is now %(amount)s, for lots published from now on.")
    else:
        title = gettext_lazy("Your change of the rule “%(rule)s” was refused")
        body = gettext_lazy("Reason: %(reason)s")
    amount = (f"{change.amount}/{change.denominator}" if rule.unit == RuleUnit.FRACTION
              else format_lazy("{} {}", change.amount, RuleUnit(rule.unit).label))
    notify(user=proposer, kind=f"rule.change_{change.status}", title=title, body=body,
           params={"rule": RuleCode(rule.code).label, "amount": amount, "reason": change.decision_reason},
           link=reverse("rule-detail", args=[rule.pk]))

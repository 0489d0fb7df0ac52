"""The rule table's pages: the public table by market, and each rule with its legal limit and its
history; the centre's staff propose a change there and a second member of staff decides it."""
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trading.accounts.selectors import actor_names
from trading.errors import PlatformError
from trading.models import Role, Rule, RuleChange, RuleCode, RuleUnit
from trading.permissions import holds_role
from trading.selectors_calendar import rule_as_seeded, rule_changes_decided, rule_get_by_id, rule_list, rule_pending
from trading.services.rules import REASON_MAX, rule_change_decide, rule_change_propose


class ProposalForm(forms.Form):
    """New numbers for one rule: a denominator only for a fraction, the odd-only flag only for a count."""

    amount = forms.IntegerField(label=_("New amount"), min_value=1)
    denominator = forms.IntegerField(label=_("Denominator"), min_value=1)
    odd_only = forms.BooleanField(label=_("Odd numbers only"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, initial={"amount": rule.amount, "denominator": rule.denominator,
                                         "odd_only": rule.odd_only}, **kwargs)
        if rule.unit != RuleUnit.FRACTION:
            del self.fields["denominator"]
        if rule.unit != RuleUnit.COUNT:
            del self.fields["odd_only"]


CODE_ORDER = {code: position for position, code in enumerate(RuleCode.values)}


def _with_law(rules):
    """Each rule with ``law`` (the rule as the law set it, for its legal limit) and ``pending``."""
    for rule in rules:
        rule.law, rule.pending = rule_as_seeded(rule=rule), rule_pending(rule=rule)
        yield rule


def rules(request):
    """The whole table, public: the numbers of the law are public. Staff also see pending proposals.
    Within a market, rules follow a procedure's course (``RuleCode``), the market-wide row first."""
    markets = [(market, sorted(group, key=lambda r: (CODE_ORDER[r.code], r.procedure_id or 0)))
               for market, group in groupby(_with_law(rule_list()), key=lambda r: r.market)]
    return render(request, "trading/rules.html", {"markets": markets, "is_staff": holds_role(request.user, Role.STAFF)})


def _numbers_text(rule: Rule, amount: int, denominator: int, odd_only: bool) -> str:
    text = Rule(unit=rule.unit, amount=amount, denominator=denominator).amount_text
    return f"{text}, {_('odd numbers only')}" if odd_only else text


def _describe(changes: list[RuleChange], rule: Rule) -> None:
    """Give the changes their numbers before and after as text, and the names of who proposed and decided."""
    names = actor_names({actor for change in changes for actor in (change.proposed_by, change.decided_by) if actor})
    for change in changes:
        change.before_text = _numbers_text(rule, change.previous_amount, change.previous_denominator,
                                           change.previous_odd_only)
        change.after_text = _numbers_text(rule, change.amount, change.denominator, change.odd_only)
        change.proposed_by_name = names.get(change.proposed_by, change.proposed_by)
        change.decided_by_name = names.get(change.decided_by, change.decided_by)


def _rule_page(request, rule_id: int, *, form=None, error=None, status=200):
    rule = rule_get_by_id(rule_id=rule_id)
    if rule is None:
        raise Http404
    is_staff = holds_role(request.user, Role.STAFF)
    history = list(rule_changes_decided(rule=rule))
    pending = rule_pending(rule=rule) if is_staff else None
    _describe(history + ([pending] if pending else []), rule)
    return render(request, "trading/rules_detail.html", {
        "rule": rule, "now_text": _numbers_text(rule, rule.amount, rule.denominator, rule.odd_only),
        "law": rule_as_seeded(rule=rule), "history": history, "pending": pending, "is_staff": is_staff,
        "own_proposal": pending is not None and pending.proposed_by == f"user:{request.user.pk}",
        "form": (form or ProposalForm(rule=rule)) if is_staff else None, "error": error,
    }, status=status)


def rule_detail(request, rule_id: int):
    return _rule_page(request, rule_id)


@require_POST
def rule_propose(request, rule_id: int):
    """A proposal of new numbers; the service refuses (and records) anyone but staff."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rule = rule_get_by_id(rule_id=rule_id)
    if rule is None:
        raise Http404
    form = ProposalForm(request.POST, rule=rule)
    if not form.is_valid():
        return _rule_page(request, rule_id, form=form, status=400)
    data = form.cleaned_data
    try:
        rule_change_propose(rule_id=rule_id, amount=data["amount"], denominator=data.get("denominator", 1),
                            odd_only=data.get("odd_only"), reason=data["reason"], proposer=request.user)
    except PlatformError as error:
        return _rule_page(request, rule_id, form=form, error=error.message, status=error.status)
    messages.success(request, _("The change is proposed; it holds once a second member of staff approves it."))
    return redirect("rule-detail", rule_id=rule_id)


@require_POST
def rule_change_decide_view(request, change_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rule_id = RuleChange.objects.filter(pk=change_id).values_list("rule_id", flat=True).first()
    if rule_id is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        rule_change_decide(change_id=change_id, decider=request.user, approve=approve,
                           reason=request.POST.get("reason", ""))
    except PlatformError as error:
        return _rule_page(request, rule_id, error=error.message, status=error.status)
    messages.success(request, _("The change is approved: it holds for lots published from now on.") if approve
                     else _("The change is refused; the rule stays as it was."))
    return redirect("rule-detail", rule_id=rule_id)

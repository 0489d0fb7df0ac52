"""What regulators' pages say about a red flag: its rule in words, a sentence from its evidence's
values, and each group of bids with the value they share, amounts and times as pages print them."""
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy

from bidding.evaluation.models import Evaluation
from bidding.sealed.models import Bid
from monitoring.integrity.flags import RULES_BY_ID, rule_source
from trading.models import RuleCode, RuleSense, RuleUnit
from trading.money import yuan

SUMMARIES = {
    "same_ip": gettext_lazy("Bids of different bidders came from the same IP address."),
    "same_device": gettext_lazy("Bids of different bidders were sealed on the same device."),
    "same_file": gettext_lazy("Different bidders' envelopes hold the same file (the same SHA-256)."),
    "same_metadata": gettext_lazy(
        "Different bidders' files name the same author, software and creation time."),
    "identical_prices": gettext_lazy("Different bidders asked exactly the same price."),
    "price_progression": gettext_lazy(
        "Every price lies on one arithmetic progression, %(step)s apart (within %(tolerance)s of the lowest "
        "price)."),
    "price_ratio": gettext_lazy(
        "Every price is %(ratio)s times the one below it (within %(tolerance)s of the lowest price)."),
    "prices_near_ceiling": gettext_lazy("Every price is within %(band)s of the ceiling of %(ceiling)s."),
    "single_bid": gettext_lazy("A single bid came to the opening."),
    "short_period": gettext_lazy(
        "Bids were taken for %(days)s days, from the publication at %(published_at)s to the deadline at "
        "%(bid_deadline)s; the rule table flags a period under %(minimum_days)s days."),
    "price_gap": gettext_lazy("The best price is %(gap)s better than the second best (flagged from %(minimum)s)."),
    "close_submissions": gettext_lazy(
        "Different bidders' bids arrived within %(seconds)s seconds of each other."),
    "winner_not_lowest": gettext_lazy(
        "Under the lowest evaluated price the award went to a price of %(winning_price)s, and lower prices were "
        "opened."),
}
VALUE_LABELS = {
    "step": gettext_lazy("Step"), "tolerance": gettext_lazy("Tolerance"), "ratio": gettext_lazy("Ratio"),
    "ceiling": gettext_lazy("Ceiling"), "band": gettext_lazy("Band"), "gap": gettext_lazy("Gap"),
    "minimum": gettext_lazy("Flagged from"), "published_at": gettext_lazy("Published"),
    "bid_deadline": gettext_lazy("Bid deadline"), "days": gettext_lazy("Bidding period (days)"),
    "minimum_days": gettext_lazy("Shortest period not flagged (days)"),
    "seconds": gettext_lazy("Within (seconds)"), "method": gettext_lazy("Evaluation method"),
    "winning_price": gettext_lazy("Winning price"), "bids": gettext_lazy("Bids"),
}
MONEY = {"step", "ceiling", "winning_price", "price"}
TIMES = {"published_at", "bid_deadline", "at"}
GROUP_WORDS = {"winner": gettext_lazy("The award"), "lower": gettext_lazy("Lower prices opened")}


class _Shown(dict):
    """A value the sentence names but the evidence lacks reads as a dash."""

    def __missing__(self, key):
        return "—"


def _time(text: str) -> str:
    moment = parse_datetime(text) if isinstance(text, str) else None
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s") if moment else str(text)


def _amount(text) -> str:
    try:
        return yuan(Decimal(str(text)))
    except InvalidOperation:
        return str(text)


def value_text(name: str, value) -> str:
    if name in MONEY:
        return _amount(value)
    if name in TIMES:
        return _time(value)
    if name == "method":
        return str(Evaluation.Method(value).label) if value in Evaluation.Method.values else str(value)
    return str(value)


def _group_value(rule: str, value) -> str:
    if isinstance(value, dict):
        created = value.get("created") or ""
        return " · ".join([value.get("author") or "—", value.get("software") or "—",
                           _time(created) if parse_datetime(created) else created or "—"])
    if rule == "identical_prices":
        return _amount(value)
    if rule == "close_submissions":
        return _("%(seconds)s seconds from the first to the last") % {"seconds": value}
    return str(GROUP_WORDS.get(value, value))


def _bid_detail(bid: dict) -> str:
    parts = []
    if "place" in bid:
        parts.append(_("best") if bid["place"] == 1 else _("second best"))
    if "price" in bid:
        parts.append(_amount(bid["price"]))
    if "below" in bid:
        parts.append(_("%(share)s below the ceiling") % {"share": bid["below"]})
    if "file" in bid:
        parts.append(_("file %(name)s") % {"name": bid["file"]})
    if "at" in bid:
        parts.append(_("received %(at)s") % {"at": _time(bid["at"])})
    if bid.get("status"):
        parts.append(str(Bid.Status(bid["status"]).label) if bid["status"] in Bid.Status.values else bid["status"])
    if bid.get("reasons"):
        parts.append("；".join(bid["reasons"]))
    return " · ".join(parts)


def rule_words(rule_id: str) -> tuple[str, str]:
    """The rule's label and its source as the reader's language cites it."""
    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        return rule_id, ""
    return str(rule.label), rule_source(rule)


def flag_words(flag) -> dict:
    """``label``, ``source``, ``summary``, ``values`` [(label, text)] and ``groups`` [{"value",
    "bids": [{"receipt", "bidder", "name", "detail"}]}] of a flag, in the reader's language."""
    evidence = flag.evidence or {}
    values = evidence.get("values") or {}
    shown = {name: value_text(name, value) for name, value in values.items()}
    summary = str(SUMMARIES[flag.rule]) % _Shown(shown) if flag.rule in SUMMARIES else ""
    label, source = rule_words(flag.rule)
    groups = [{"value": _group_value(flag.rule, group.get("value", "")),
               "bids": [{**bid, "detail": _bid_detail(bid)} for bid in group.get("bids", [])]}
              for group in evidence.get("groups") or []]
    return {"rule": flag.rule, "label": label, "source": source, "summary": summary,
            "values": [(str(VALUE_LABELS.get(name, name)), text) for name, text in shown.items()],
            "groups": groups}


def thresholds_words(thresholds: dict) -> list[tuple[str, str]]:
    """A check's thresholds (``FlagCheck.thresholds``) as (the rule table's label, "at most 1 percent")."""
    rows = []
    for code, rule in sorted((thresholds or {}).items()):
        label = RuleCode(code).label if code in RuleCode.values else code
        unit = rule.get("unit", "")
        if unit == RuleUnit.FRACTION:
            amount = f"{rule.get('amount')}/{rule.get('denominator')}"
        elif unit == RuleUnit.PERCENT:
            amount = f"{rule.get('amount')}%"
        else:
            amount = f"{rule.get('amount')} {RuleUnit(unit).label if unit in RuleUnit.values else unit}"
        sense = RuleSense(rule["sense"]).label if rule.get("sense") in RuleSense.values else ""
        rows.append((str(label), f"{sense} {amount}".strip()))
    return rows

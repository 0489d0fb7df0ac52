"""Evaluation: the method, the members' independent score sheets, and the signed report with the
ranked candidates (the panel itself is drawn and seated in ``panel``).

Secrecy: who sits on a panel is known to staff, regulators and the members until the award is
approved; so the panel's events go under ``panel:<lot id>`` (not a public subject: the lot's room
and audit extract carry only their digests), and the lot's own events name nobody. A sheet is read
by its member alone until the report.

Lock order, as everywhere on a lot: the lot (``lot_lock``), then the evaluation, then members."""
import hashlib
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.crypto import receipts
from bidding.crypto.canonical import canonical_json, time_format
from bidding.errors import BiddingError
from bidding.evaluation import rules
from bidding.evaluation.models import (
    Candidate,
    Evaluation,
    ScoreChange,
    ScoreSheet,
)
from bidding.sealed.models import Bid
from monitoring.events import actor_of, record
from trading import clock, signing
from trading.models import Lot, Market, RuleCode, User
from trading.selectors_calendar import lot_published_at, rule_get
from trading.services.moves import lot_lock, lot_move

REPORT_KIND = "evaluation-report"
# Bids that were handed in and not taken back: their organisations are the lot's bidders.
BIDDER_STATUSES = [Bid.Status.SEALED, Bid.Status.OPENED, Bid.Status.VALID, Bid.Status.REJECTED,
                   Bid.Status.DECRYPT_FAILED_REVOKED, Bid.Status.DECRYPT_FAILED_WITHDRAWN]
EVALUATED_STATUSES = [Bid.Status.OPENED, Bid.Status.VALID, Bid.Status.REJECTED]
REASON_MAX = 500


def panel_subject(lot_id: int) -> str:
    return f"panel:{lot_id}"


def _rule(lot: Lot, code: str):
    return rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                    at=lot_published_at(lot=lot))


def evaluation_lock(evaluation_id: int) -> tuple[Lot, Evaluation]:
    lot_id = Evaluation.objects.filter(pk=evaluation_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise BiddingError("evaluation_not_found", _("There is no such evaluation."), status=404)
    lot = lot_lock(lot_id)
    if lot.status != Lot.Status.EVALUATION:
        # Suspended (a complaint, an order) or past evaluation: the panel does nothing meanwhile.
        raise BiddingError("not_in_evaluation", _("The lot is not in evaluation (it is “%(status)s”).")
                           % {"status": lot.get_status_display()}, status=409)
    return lot, Evaluation.objects.select_for_update().get(pk=evaluation_id)


def _items_clean(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise BiddingError("bad_items", _("Comprehensive scoring needs at least one technical item."))
    cleaned, codes = [], set()
    for item in items:
        try:
            code, name, maximum = str(item["code"]).strip(), str(item["name"]).strip(), Decimal(str(item["max"]))
        except (KeyError, TypeError, InvalidOperation):
            raise BiddingError("bad_items", _("Each technical item has a code, a name and a maximum.")) from None
        if not code or not name or code in codes or not maximum.is_finite() or maximum <= 0 \
                or maximum != rules.points(maximum):
            raise BiddingError("bad_items", _("Each technical item has its own code, a name and a positive "
                                              "maximum of at most 2 decimals."))
        codes.add(code)
        cleaned.append({"code": code, "name": name, "max": str(maximum)})
    return cleaned


# Checks that must hold before an evaluation starts, registered by the apps above bidding when they
# are ready (supervisors: a major lot's evaluation waits for an official's check-in). Each takes the
# locked lot and returns data for the start event, or raises a BiddingError.
_start_guards: list = []


def start_guards_register(guard) -> None:
    if guard not in _start_guards:
        _start_guards.append(guard)


def evaluation_create(*, lot_id: int, method: str, category: str, panel_size: int, representatives: int = 0,
                      items=None, price_weight=0, price_formula: str = "", trim_outliers: bool = False,
                      above_deduction="1", below_deduction="0.5", actor: str) -> Evaluation:
    """Set how a lot in evaluation is evaluated and how large its panel is (odd, ≥ 5, experts at
    least 2/3 of it, by the rule table); refused with the broken rule, changing nothing."""
    if method not in Evaluation.Method.values:
        raise BiddingError("bad_method", _("There is no such evaluation method."))
    if category not in Evaluation.Category.values:
        raise BiddingError("bad_category", _("Say whether the lot buys goods, services or works."))
    try:
        panel_size, representatives = int(panel_size), int(representatives)
        price_weight = rules.points(Decimal(str(price_weight)))
        above, below = Decimal(str(above_deduction)), Decimal(str(below_deduction))
    except (ValueError, TypeError, InvalidOperation):
        raise BiddingError("bad_number", _("Sizes are whole numbers and weights decimal numbers.")) from None
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.EVALUATION:
            raise BiddingError("not_in_evaluation", _("The lot is not in evaluation."), status=409)
        if Evaluation.objects.filter(lot=lot).exists():
            raise BiddingError("evaluation_exists", _("This lot's evaluation is set already."), status=409)
        guarded = {}
        for guard in _start_guards:
            guarded.update(guard(lot=lot))
        size_rule, experts_rule = _rule(lot, RuleCode.COMMITTEE_SIZE), _rule(lot, RuleCode.COMMITTEE_EXPERTS)
        if not size_rule.allows(panel_size):
            raise BiddingError("committee_size", _("The panel must have %(rule)s members, an odd number (%(source)s).")
                               % {"rule": f"{size_rule.get_sense_display()} {size_rule.amount}",
                                  "source": size_rule.source_text})
        if representatives < 0 or not experts_rule.allows(Fraction(panel_size - representatives, panel_size)):
            raise BiddingError("committee_experts", _("Experts must be at least %(share)s of the panel (%(source)s).")
                               % {"share": experts_rule.amount_text, "source": experts_rule.source_text})
        if trim_outliers and panel_size < 7:
            raise BiddingError("trim_needs_seven", _("Each item's highest and lowest scores are dropped only with "
                                                     "7 or more members."))
        terms = {}
        if method == Evaluation.Method.COMPREHENSIVE:
            cleaned = _items_clean(items)
            if price_formula not in Evaluation.PriceFormula.values:
                raise BiddingError("bad_price_formula", _("Choose how prices are scored."))
            if not 0 < price_weight < 100 or sum(Decimal(i["max"]) for i in cleaned) + price_weight != 100:
                raise BiddingError("weights_not_100", _("The technical items' maxima and the price weight must add "
                                                        "up to 100 points."))
            _procurement_check(lot.project.market, category, price_formula, price_weight)
            if price_formula == Evaluation.PriceFormula.AVERAGE and category != Evaluation.Category.WORKS:
                raise BiddingError("average_for_works", _("The average-based price formula is for works."))
            terms = {"items": cleaned, "price_weight": price_weight, "price_formula": price_formula,
                     "above_deduction": above, "below_deduction": below}
        evaluation = Evaluation.objects.create(
            lot=lot, method=method, category=category, panel_size=panel_size, representatives=representatives,
            trim_outliers=trim_outliers, created_at=clock.now(), created_by=actor, **terms)
        record(kind="evaluation.created", actor=actor, subject=f"lot:{lot.pk}",
               data={"method": method, "category": category, "panel_size": panel_size,
                     "representatives": representatives, "price_weight": str(evaluation.price_weight),
                     "price_formula": evaluation.price_formula, "items": evaluation.items,
                     "trim_outliers": trim_outliers, **guarded})
    return evaluation


def _procurement_check(market: Market, category: str, formula: str, weight: Decimal) -> None:
    """财政部令第87号 Art 55: government procurement scores prices low-price-first, with a price weight
    of at least 30 % for goods and 10 % for services."""
    if market.code != "procurement":
        return
    if formula != Evaluation.PriceFormula.LOW_PRICE_FIRST:
        raise BiddingError("procurement_low_price_first", _("Government procurement scores prices with the lowest "
                                                             "valid price as benchmark (财政部令第87号 Art 55)."))
    floor = {Evaluation.Category.GOODS: 30, Evaluation.Category.SERVICES: 10}.get(category, 0)
    if weight < floor:
        raise BiddingError("procurement_price_weight", _("The price weight must be at least %(floor)s points for "
                                                         "%(category)s (财政部令第87号 Art 55).")
                           % {"floor": floor, "category": Evaluation.Category(category).label})


def evaluated_bids(evaluation: Evaluation) -> list[Bid]:
    """The bids the panel judges: every one the opening opened, in receipt order, with its opening."""
    return list(Bid.objects.filter(lot_id=evaluation.lot_id, status__in=EVALUATED_STATUSES)
                .select_related("opening", "organisation").order_by("received_at", "pk"))


def _entries_clean(evaluation: Evaluation, entries) -> dict:
    """A complete sheet: every bid judged compliant or not (with a reason), and for comprehensive
    scoring every item of every compliant bid scored within its bounds. Refused whole otherwise."""
    if not isinstance(entries, dict):
        raise BiddingError("bad_sheet", _("The sheet is not in the expected form."))
    cleaned = {}
    for bid in evaluated_bids(evaluation):
        entry = entries.get(str(bid.pk))
        if not isinstance(entry, dict) or not isinstance(entry.get("compliant"), bool):
            raise BiddingError("sheet_incomplete", _("Judge every bid compliant or not."), fields={str(bid.pk): []})
        reason = str(entry.get("reason") or "").strip()[:REASON_MAX]
        if not entry["compliant"] and not reason:
            raise BiddingError("reason_required", _("Say why a bid is not compliant."), fields={str(bid.pk): []})
        scores = {}
        if evaluation.method == Evaluation.Method.COMPREHENSIVE and entry["compliant"]:
            given = entry.get("scores")
            for item in evaluation.items:
                try:
                    score = Decimal(str((given or {})[item["code"]]))
                except (KeyError, TypeError, InvalidOperation):
                    raise BiddingError("score_missing", _("Score every item of every compliant bid."),
                                       fields={str(bid.pk): [item["code"]]}) from None
                if not score.is_finite() or not 0 <= score <= Decimal(item["max"]) or score != rules.points(score):
                    raise BiddingError("score_out_of_bounds",
                                       _("“%(item)s” is scored from 0 to %(max)s, with at most 2 decimals.")
                                       % {"item": item["name"], "max": item["max"]},
                                       fields={str(bid.pk): [item["code"]]})
                scores[item["code"]] = str(rules.points(score))
        cleaned[str(bid.pk)] = {"compliant": entry["compliant"], "reason": reason, "scores": scores}
    return cleaned


def sheet_submit(*, evaluation_id: int, user: User, entries, reason: str = "") -> ScoreSheet:
    """A seated member hands in their sheet; it is locked then. Handing it in again, before the
    report, changes it only with a reason, and the change is kept."""
    with transaction.atomic():
        lot, evaluation = evaluation_lock(evaluation_id)
        sheet = (ScoreSheet.objects.select_for_update().select_related("member")
                 .filter(member__evaluation=evaluation, member__user=user).first())
        if sheet is None:
            raise BiddingError("not_on_panel", _("Only the panel's seated members score this lot."), status=403)
        if evaluation.status != Evaluation.Status.SCORING:
            raise BiddingError("scoring_closed", _("Scoring is closed."), status=409)
        cleaned = _entries_clean(evaluation, entries)
        now = clock.now()
        data = {"member": sheet.member_id, "sheet_sha256": hashlib.sha256(canonical_json(cleaned)).hexdigest()}
        if sheet.submitted_at is None:
            kind = "evaluation.sheet_submitted"
        else:
            reason = (reason or "").strip()
            if not reason:
                raise BiddingError("change_reason_required", _("A submitted sheet changes only with a reason."),
                                   status=409)
            ScoreChange.objects.create(sheet=sheet, reason=reason, before=sheet.entries, after=cleaned, at=now)
            kind, data["reason"] = "evaluation.sheet_changed", reason
        sheet.entries, sheet.submitted_at = cleaned, now
        sheet.save()
        record(kind=kind, actor=actor_of(user), subject=panel_subject(lot.pk), data=data)
        record(kind=kind, actor="system:evaluation", subject=f"lot:{lot.pk}", data={})
    return sheet


def evaluation_conclude(*, evaluation_id: int, actor: str) -> Evaluation:
    """Every sheet is in: judge the bids by the panel's majority, score and rank the valid ones,
    name the candidates and sign the report. With no valid bid (or fewer than the rule's minimum)
    the lot fails and every deposit falls due for refund."""
    with transaction.atomic():
        lot, evaluation = evaluation_lock(evaluation_id)
        if evaluation.status != Evaluation.Status.SCORING:
            raise BiddingError("not_scoring", _("The evaluation is not at scoring."), status=409)
        sheets = list(ScoreSheet.objects.filter(member__evaluation=evaluation).select_related("member__user")
                      .order_by("member_id"))
        if any(sheet.submitted_at is None for sheet in sheets):
            raise BiddingError("sheets_missing", _("Every member must hand in a sheet first."), status=409)
        now = clock.now()
        bids = evaluated_bids(evaluation)
        findings, standings = _judge(evaluation, lot, bids, sheets)
        ranked = rules.ranking(standings, method=evaluation.method)
        minimum = _rule(lot, RuleCode.MIN_BIDDERS).amount
        failed = len(ranked) < minimum
        candidates_max = _rule(lot, RuleCode.CANDIDATES_MAX).amount
        by_pk = {bid.pk: bid for bid in bids}
        for bid in bids:
            (bid.accept if findings[bid.pk]["valid"] else bid.reject)()
            bid.save()
        if not failed:
            Candidate.objects.bulk_create(
                Candidate(evaluation=evaluation, bid=by_pk[s.key], organisation_id=by_pk[s.key].organisation_id,
                          rank=rank, price=s.price, technical=s.technical, price_score=s.price_score, total=s.total)
                for rank, s in enumerate(ranked[:candidates_max], 1))
        evaluation.report = receipts.signed_document(
            REPORT_KIND, _report_body(evaluation, lot, bids, sheets, findings, ranked, candidates_max, failed, now),
            signing.private_key())
        evaluation.reported_at = now
        evaluation.close_report()
        evaluation.save()
        digest = hashlib.sha256(canonical_json(evaluation.report["document"])).hexdigest()
        record(kind="evaluation.reported", actor=actor, subject=f"lot:{lot.pk}",
               data={"report_sha256": digest, "signature": evaluation.report["signature"],
                     "valid_bids": len(ranked), "failed": failed})
        if failed:
            # The move releases every deposit (``trading.services.moves.lot_move``).
            lot_move(lot, "fail", actor=actor, data={"reason": "too_few_valid_bids", "valid_bids": len(ranked)})
    return evaluation


def _judge(evaluation: Evaluation, lot: Lot, bids: list[Bid], sheets: list[ScoreSheet]):
    """Each bid's finding (valid: more than half the panel found it compliant and its price is within
    the ceiling) and the standings of the valid ones."""
    findings, valid = {}, []
    for bid in bids:
        entries = [sheet.entries[str(bid.pk)] for sheet in sheets]
        reasons = sorted({entry["reason"] for entry in entries if not entry["compliant"]})
        compliant = 2 * sum(entry["compliant"] for entry in entries) > len(entries)
        price = bid.opening.price
        if price > lot.estimate:
            compliant, reasons = False, [*reasons, str(_("The price is over the ceiling."))]
        findings[bid.pk] = {"valid": compliant, "reasons": reasons if not compliant else []}
        if compliant:
            valid.append(bid)
    prices = {bid.pk: bid.opening.price for bid in valid}
    price_scores = {}
    if evaluation.method == Evaluation.Method.COMPREHENSIVE:
        price_scores = rules.price_scores(prices, formula=evaluation.price_formula, weight=evaluation.price_weight,
                                          above=evaluation.above_deduction, below=evaluation.below_deduction)
    standings = []
    for bid in valid:
        technical = None
        if evaluation.method == Evaluation.Method.COMPREHENSIVE:
            averages = {item["code"]: rules.item_average(
                [Decimal(sheet.entries[str(bid.pk)]["scores"][item["code"]]) for sheet in sheets
                 if sheet.entries[str(bid.pk)]["compliant"]], trim=evaluation.trim_outliers)
                for item in evaluation.items}
            findings[bid.pk]["items"] = {code: str(value) for code, value in averages.items()}
            technical = sum(averages.values(), Decimal(0))
        standings.append(rules.Standing(key=bid.pk, price=prices[bid.pk], received=(bid.received_at, bid.pk),
                                        technical=technical, price_score=price_scores.get(bid.pk)))
    return findings, standings


def _report_body(evaluation, lot, bids, sheets, findings, ranked, candidates_max, failed, now) -> dict:
    standing = {s.key: (rank, s) for rank, s in enumerate(ranked, 1)}
    receipt_of = {bid.pk: str(bid.receipt_id) for bid in bids}
    rows = []
    for bid in bids:
        row = {"receipt": str(bid.receipt_id), "bidder": bid.organisation.name, "bidder_uscc": bid.organisation.uscc,
               "price": str(bid.opening.price), "valid": findings[bid.pk]["valid"],
               "reasons": findings[bid.pk]["reasons"]}
        if bid.pk in standing:
            rank, s = standing[bid.pk]
            row.update(rank=rank, items=findings[bid.pk].get("items"),
                       technical=str(s.technical) if s.technical is not None else None,
                       price_score=str(s.price_score) if s.price_score is not None else None,
                       total=str(s.total) if s.total is not None else None)
        rows.append(row)
    return {
        "platform": settings.PLATFORM_ID, "lot": str(lot.pk), "lot_code": lot.code, "lot_title": lot.title,
        "method": evaluation.method, "category": evaluation.category, "items": evaluation.items,
        "price_weight": str(evaluation.price_weight), "price_formula": evaluation.price_formula,
        "trim_outliers": evaluation.trim_outliers,
        "panel": [{"member": sheet.member_id, "name": str(sheet.member.user), "kind": sheet.member.kind}
                  for sheet in sheets],
        "sheets": [{"member": sheet.member_id, "submitted_at": time_format(sheet.submitted_at),
                    "entries": sheet.entries} for sheet in sheets],
        "bids": rows,
        "candidates": [] if failed else [receipt_of[s.key] for s in ranked[:candidates_max]],
        "failed": failed, "reported_at": time_format(now),
    }

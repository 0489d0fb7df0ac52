"""Reads for the red flags: the lots due a check, each lot's facts and thresholds as the rules take
them (``monitoring.integrity.flags``), and the flags and checks for regulators' pages and the API.

Who may read flags: regulators and superusers, at once (they supervise the procedure as it runs);
never bidders, the public or the centre's staff, whose lots the flags are about (docs/integrity.md).
"""
import logging
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from bidding.evaluation.models import AwardProposal, Evaluation
from bidding.sealed.docmeta import FILE_MAX, document_meta
from bidding.sealed.models import BidOpening, OpeningSession
from monitoring.integrity.flags import OPENING, BidFacts, FileFacts, LotFacts, Thresholds
from monitoring.integrity.models import Flag, FlagCheck
from trading.models import Lot, LotDocument, Role, RuleCode, RuleUnit
from trading.selectors_calendar import lot_published_at, rule_find
from trading.storage import StorageError, get_storage

log = logging.getLogger(__name__)
OPENED = (OpeningSession.Status.RECORD_PUBLISHED, OpeningSession.Status.CLOSED)
AWARDED = (Lot.Status.AWARDED, Lot.Status.CONTRACTED)
THRESHOLD_CODES = (RuleCode.FLAG_CEILING_BAND, RuleCode.FLAG_PRICE_PATTERN, RuleCode.FLAG_PRICE_GAP,
                   RuleCode.FLAG_SUBMISSION_GAP, RuleCode.FLAG_SHORT_PERIOD)


def flags_visible_to(user) -> bool:
    """Regulators and superusers read the flags; nobody else (bidders, the public, staff)."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(Role.REGULATOR)))


# --- what the sweep reads ----------------------------------------------------------------------------

def lots_due(*, stage: str, limit: int) -> list[int]:
    """Lots whose ``stage`` has come and that have no check of it yet, oldest first: at the opening,
    the record published; at the award, the lot awarded (or under contract, or suspended from either)."""
    if stage == OPENING:
        lots = Lot.objects.filter(opening_session__status__in=OPENED)
    else:
        lots = Lot.objects.filter(Q(status__in=AWARDED) | Q(status=Lot.Status.SUSPENDED, suspended_from__in=AWARDED))
    return list(lots.exclude(flag_checks__stage=stage).order_by("pk").values_list("pk", flat=True)[:limit])


def lot_for_check(lot_id: int) -> Lot | None:
    return Lot.objects.select_related("project__market", "project__procedure").filter(pk=lot_id).first()


def _threshold_value(rule):
    if rule.unit in (RuleUnit.PERCENT, RuleUnit.FRACTION):
        return rule.ratio
    if rule.unit == RuleUnit.SECONDS:
        return timedelta(seconds=rule.amount)
    if rule.unit == RuleUnit.MINUTES:
        return timedelta(minutes=rule.amount)
    if rule.unit == RuleUnit.CALENDAR_DAYS:
        return timedelta(days=rule.amount)
    return None  # a unit the rule cannot read (working days would need the calendar): the rule does not run


def lot_thresholds(*, lot: Lot) -> tuple[Thresholds, dict]:
    """The rule table's thresholds for the lot, as they stood at its publication, and the same as
    JSON for the check's record (``{code: {"amount", "denominator", "unit", "sense"}}``; a code the
    market has no rule for is absent, and its rule does not run)."""
    at = lot_published_at(lot=lot)
    values, stored = {}, {}
    for code in THRESHOLD_CODES:
        rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=code, at=at)
        if rule is None:
            continue
        value = _threshold_value(rule)
        if value is None:
            continue
        values[code] = value
        stored[str(code)] = {"amount": rule.amount, "denominator": rule.denominator, "unit": rule.unit,
                             "sense": rule.sense}
    return Thresholds(ceiling_band=values.get(RuleCode.FLAG_CEILING_BAND),
                      price_pattern=values.get(RuleCode.FLAG_PRICE_PATTERN),
                      price_gap=values.get(RuleCode.FLAG_PRICE_GAP),
                      submission_gap=values.get(RuleCode.FLAG_SUBMISSION_GAP),
                      short_period=values.get(RuleCode.FLAG_SHORT_PERIOD)), stored


def _file_facts(entry: dict) -> FileFacts:
    meta = entry.get("meta") or {}
    return FileFacts(name=str(entry.get("name", "")), size=int(entry.get("size") or 0),
                     sha256=str(entry.get("sha256", "")), author=meta.get("author", ""),
                     software=meta.get("software", ""), created=meta.get("created", ""))


def _bids(lot: Lot, findings: dict | None = None) -> tuple[BidFacts, ...]:
    """Every bid the opening opened or tried to (one per bidder: the live bid at the deadline)."""
    openings = (BidOpening.objects.filter(bid__lot=lot).select_related("bid__organisation")
                .order_by("bid__received_at", "bid_id"))
    facts = []
    for opening in openings:
        bid, receipt = opening.bid, str(opening.bid.receipt_id)
        finding = (findings or {}).get(receipt, {})
        facts.append(BidFacts(
            receipt=receipt, bidder=bid.organisation.uscc, name=bid.organisation.name, received_at=bid.received_at,
            price=opening.price, client_ip=bid.client_ip, device=bid.device_fingerprint,
            files=tuple(_file_facts(entry) for entry in opening.files or ()),
            status=bid.status, reasons=tuple(str(reason) for reason in finding.get("reasons", ()))))
    return tuple(facts)


def _known_documents(lot: Lot) -> tuple[frozenset[str], frozenset[tuple[str, str, str]]]:
    """The hashes and document metadata of the lot's own documents (every version): a form the
    tender gives out may come back in every bid unchanged, or filled in with its metadata kept.
    A document larger than the metadata bound, or unreadable in storage, gives its hash only."""
    hashes, metas = set(), set()
    for document in LotDocument.objects.filter(lot=lot).only("sha256", "size", "storage_key"):
        hashes.add(document.sha256)
        if document.size > FILE_MAX:
            continue
        try:
            with get_storage().get(document.storage_key) as reader:
                meta = document_meta(reader.read(FILE_MAX + 1))
        except StorageError:
            log.warning("lot %s: document %s not readable for its metadata", lot.pk, document.storage_key)
            continue
        key = (meta.get("author", ""), meta.get("software", ""), meta.get("created", ""))
        if all(key):
            metas.add(key)
    return frozenset(hashes), frozenset(metas)


def _lot_facts(lot: Lot, bids: tuple[BidFacts, ...], **award) -> LotFacts:
    hashes, metas = _known_documents(lot)
    return LotFacts(lot=lot.pk, sells=lot.market.sells, ceiling=lot.price_ceiling,
                    published_at=lot_published_at(lot=lot), bid_deadline=lot.bid_deadline, bids=bids,
                    known_files=hashes, known_meta=metas, **award)


def opening_facts(*, lot: Lot) -> LotFacts:
    return _lot_facts(lot, _bids(lot))


def award_facts(*, lot: Lot) -> LotFacts:
    """The lot at its award: the evaluation's method, the approved award's bid, and each bid's
    finding (valid, or rejected with the panel's reasons, from the signed report)."""
    evaluation = Evaluation.objects.filter(lot=lot).only("method", "report").first()
    proposal = (AwardProposal.objects.filter(lot=lot, status=AwardProposal.Status.APPROVED)
                .select_related("candidate__bid").order_by("-reviewed_at", "-pk").first())
    findings = {}
    if evaluation is not None and evaluation.report:
        rows = evaluation.report.get("document", {}).get("body", {}).get("bids", [])
        findings = {row.get("receipt"): row for row in rows if isinstance(row, dict)}
    return _lot_facts(lot, _bids(lot, findings), method=evaluation.method if evaluation else "",
                      winner=str(proposal.candidate.bid.receipt_id) if proposal else "")


# --- what regulators read ----------------------------------------------------------------------------

def flag_list(*, lot: int | None = None, rule: str = "", stage: str = "", market: str = "",
              since: datetime | None = None, until: datetime | None = None) -> QuerySet[Flag]:
    """Flags newest first with their lot and market; ``since``/``until`` bound when they were
    raised (``until`` exclusive)."""
    flags = Flag.objects.select_related("lot__project__market").order_by("-raised_at", "-pk")
    if lot is not None:
        flags = flags.filter(lot_id=lot)
    if rule:
        flags = flags.filter(rule=rule)
    if stage:
        flags = flags.filter(stage=stage)
    if market:
        flags = flags.filter(lot__project__market_id=market)
    if since is not None:
        flags = flags.filter(raised_at__gte=since)
    if until is not None:
        flags = flags.filter(raised_at__lt=until)
    return flags


def flag_get(*, flag_id: int) -> Flag | None:
    return Flag.objects.select_related("lot__project__market").filter(pk=flag_id).first()


def check_list(*, lot: int | None = None) -> QuerySet[FlagCheck]:
    checks = FlagCheck.objects.select_related("lot__project").order_by("-checked_at", "-pk")
    return checks.filter(lot_id=lot) if lot is not None else checks


def lot_flags(*, lot_id: int) -> tuple[list[FlagCheck], list[Flag]]:
    """A lot's checks (opening, award) and flags, for its regulator page."""
    checks = list(FlagCheck.objects.filter(lot_id=lot_id).order_by("checked_at", "pk"))
    flags = list(Flag.objects.filter(lot_id=lot_id).order_by("raised_at", "rule"))
    return checks, flags

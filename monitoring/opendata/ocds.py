"""Open data (DESIGN §7): each public lot as one OCDS 1.1.5 contracting process, with the bids
extension, as releases, a record with a compiled release, and packages of either.

How the platform maps onto OCDS:

- **ocid** ``{PLATFORM_OCDS_PREFIX}-{lot id}``: one contracting process per lot (标段), the unit that
  is bid on, awarded and contracted. The prefix is a setting (default ``ocds-pr0000``, a placeholder
  until the publisher registers its own with the Open Contracting Partnership).
- **Releases**, one per public milestone, dated when it happened, with ids ``{ocid}-{milestone}-{row}``
  (the row of the status change or announcement; ``bid-count`` and ``opening-record`` happen once),
  so they are stable and unique. Tags and
  ``tender.status`` (closed codelists):

  - published (the tender or listing announcement): ``tender``, ``active``;
  - an amendment announcement: ``tenderAmendment``, ``active``;
  - any other move while the procedure runs (bidding opens or closes, opening, evaluation,
    publicity, review, listing, auction, suspended, resumed): ``tenderUpdate``, ``active``; a
    suspension keeps the status it interrupts, as OCDS 1.1.5 has no "suspended";
  - the sealed bids counted after the close: ``tenderUpdate``, ``active``;
  - the opening record published (the bids extension): ``tenderUpdate``, ``active``;
  - awarded (the regulator approved the award, or a sale's deal confirmation): ``award``, ``complete``;
  - an award withdrawn for the next candidate (实施条例 Art 55): ``awardCancellation``, ``active``;
  - the contract recorded: ``contract``, ``complete``;
  - failed (流标: too few bids, none valid, unsold): ``tenderUpdate``, ``unsuccessful``;
  - cancelled or terminated: ``tenderCancellation``, ``cancelled`` (with ``awardCancellation`` and
    the award cancelled where one was live).

  Moves before publication (draft, review) are not public and make no release.
- **Parties** carry the unified social credit code (统一社会信用代码, GB 32100) as identifier under
  org-id.guide's scheme ``CN-USCI`` ("Unified Social Credit Identifier"); a party's id is
  ``CN-USCI-{code}``. Roles: the tenderee is ``buyer`` and ``procuringEntity``; bidders named in the
  opening record are ``tenderer``; the winner is also ``supplier``. Where the platform sells (land,
  equity: ``Market.sells``) money flows the other way: the seller is ``procuringEntity`` and
  ``payee`` (not ``buyer``) and the purchaser ``supplier`` (the award names it) and ``payer``.
- **tender.procurementMethod** from the procedure: invited tender ``selective``; competitive
  negotiation and inquiry ``limited`` (the procurer chooses whom to ask); single source ``direct``;
  open tenders, listings and auctions ``open`` (anyone may register; listings check eligibility
  only). **mainProcurementCategory**: construction ``works``, HR ``services``, government
  procurement the evaluation's category (goods, services or works) once the result is public; land
  and equity sales have none, as OCDS's goods/works/services describe purchases, not disposals
  (``procurementMethodDetails`` names market and procedure). **value**: the estimate or budget
  ceiling; for a sale the listing price is a floor, so it is ``minValue`` instead.
  ``submissionMethod`` ``electronicSubmission`` (sealed bids) or ``electronicAuction`` (listings);
  ``awardCriteria`` ``priceOnly`` (lowest price) or ``ratedCriteria`` (comprehensive scoring) with
  the result; a sale's criterion (highest price) has no code, so only ``awardCriteriaDetails``.
- **Bids** (extension): nothing about a bid before its opening record is published but the count of
  sealed bids (``bids.statistics`` ``bids``, in a release of its own once counted after the close).
  With the record: each
  opened bid (``bid-{id}``) with its receipt time, bidder and price, status ``pending``; a bid that
  failed to decrypt counts as revoked or withdrawn (电子招标投标办法 Art 31): ``withdrawn``. With the
  candidates' publicity (or the failure of the evaluation): ``valid`` / ``disqualified`` and the
  candidates' ranks. A listing's or auction's quotes are anonymous (numbers) and are not exported;
  the sale's award names the purchaser and price.
- **Awards** ``award-{proposal}`` (the regulator's approval, with ``relatedBids``) or ``deal-{deal
  confirmation}`` (a sale); **contracts** ``contract-{id}`` with the signing date (the day, at
  midnight in the platform's time zone) and the contract number as description. Candidates in
  publicity and proposals under review are not awards yet and are not exported as such.
- A lot that tenders a failed one again (重新招标, ``Lot.retender_of``) names it in its tender
  release: ``relatedProcesses`` with the relationship ``unsuccessfulProcess``, the scheme ``ocid``
  and the failed lot's ocid as identifier and its title as title (the failed process names no
  successor: OCDS relates a process only to those it follows on from).
- Amounts are JSON numbers (yuan with 2 places), the currency the lot's.
- The **record** embeds every release and a compiled release merged in date order by OCDS's merge
  rules (objects merge field by field, arrays of objects with ``id`` merge by id, other values are
  replaced; the release's own ``id``, ``date`` and ``tag`` are not merged).
"""
import copy
from collections import defaultdict
from datetime import datetime, time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bidding.sealed.models import Bid
from bidding.selectors import LotBidding, lot_ids_told_since, lots_bidding_ocds
from monitoring.models import AuditEntry
from trading.models import Announcement, Lot
from trading.selectors_ocds import lot_get_ocds, lot_ids_changed_since, lot_list_ocds

OCDS_VERSION = "1.1"
BID_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/"
                 "extension.json")
SCHEME = "CN-USCI"

METHODS = {"invited_tender": "selective", "competitive_negotiation": "limited", "inquiry": "limited",
           "single_source": "direct"}
CATEGORIES = {"construction": "works", "hr": "services"}
TAGS = {"publish": "tender", "award": "award", "reopen_award": "awardCancellation", "record_contract": "contract",
        "cancel": "tenderCancellation", "terminate": "tenderCancellation"}
TENDER_STATUS = {Lot.Status.AWARDED: "complete", Lot.Status.CONTRACTED: "complete", Lot.Status.FAILED: "unsuccessful",
                 Lot.Status.CANCELLED: "cancelled", Lot.Status.TERMINATED: "cancelled"}
BID_STATUS = {Bid.Status.OPENED: "pending", Bid.Status.VALID: "valid", Bid.Status.REJECTED: "disqualified",
              Bid.Status.DECRYPT_FAILED_REVOKED: "withdrawn", Bid.Status.DECRYPT_FAILED_WITHDRAWN: "withdrawn"}
AWARD_CRITERIA = {"lowest_price": "priceOnly", "comprehensive": "ratedCriteria"}
ROLE_ORDER = ["buyer", "procuringEntity", "payee", "tenderer", "supplier", "payer"]
# The moves with which the evaluation's findings and candidates become public (lot_result_public).
RESULT_MOVES = ("publicise_candidates", "fail")


def ocds_prefix() -> str:
    return settings.PLATFORM_OCDS_PREFIX


def ocid_of(lot: Lot) -> str:
    return f"{ocds_prefix()}-{lot.pk}"


def lot_id_of(ocid: str) -> int | None:
    """The lot an ocid names, or None if it is not one of this platform's."""
    number = ocid.removeprefix(f"{ocds_prefix()}-")
    canonical = number != ocid and number.isascii() and number.isdigit() and str(int(number)) == number
    return int(number) if canonical else None


def _iso(at: datetime) -> str:
    return at.isoformat()


def _amount(value) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class _Process:
    """The releases of one lot, built in date order so that each party's roles accumulate."""

    def __init__(self, lot: Lot, bidding: LotBidding, resumed_deadlines: list):
        self.lot, self.bidding = lot, bidding
        self.ocid = ocid_of(lot)
        self.sells = lot.project.market.sells
        self.resumed_deadlines = iter(resumed_deadlines)
        # The k-th "award" move made the k-th approved award (a sale has one, its deal).
        self.awards_made = iter([self._deal_award()] if bidding.deal else
                                [self._proposal_award(p) for p in bidding.awards])
        self.live_award = ""
        self.roles: dict[int, set] = defaultdict(set)
        self.mentioned: dict = {}
        self.result_told = False

    def releases(self) -> list[dict]:
        changes = self.lot.ocds_changes
        first = next((i for i, c in enumerate(changes) if c.transition == "publish"), None)
        if first is None:
            return []
        # Sorted by time, then by the order things happen in, for moves made in the same instant.
        milestones = [((c.at, i), "status", c) for i, c in enumerate(changes) if i >= first]
        milestones += [((a.published_at, len(changes)), "amendment", a) for a in self.lot.ocds_notices
                       if a.kind == Announcement.Kind.AMENDMENT]
        milestones += [((e.extended_at, len(changes)), "extension", e) for e in self.lot.ocds_extensions]
        if self.bidding.bid_count:
            closed = next((i for i, c in enumerate(changes) if c.transition == "close_bidding"), first)
            milestones.append(((self.bidding.bid_count.counted_at, closed + 0.5), "count", self.bidding.bid_count))
        if self.bidding.opened:
            started = next((i for i, c in enumerate(changes) if c.transition == "start_opening"), first)
            milestones.append(((self.bidding.record_published_at, started + 0.5), "opening", None))
        return [getattr(self, f"_{kind}")(key[0], row) for key, kind, row in sorted(milestones, key=lambda m: m[0])]

    def _ref(self, organisation, *roles) -> dict:
        """A reference to a party, which the release being built lists with its roles so far."""
        self.roles[organisation.pk].update(roles)
        self.mentioned[organisation.pk] = organisation
        return {"id": f"{SCHEME}-{organisation.uscc}", "name": organisation.name}

    def _release(self, name: str, at: datetime, tags: list[str], body: dict) -> dict:
        release = {"ocid": self.ocid, "id": f"{self.ocid}-{name}", "date": _iso(at), "tag": tags,
                   "initiationType": "tender"}
        if self.mentioned:
            release["parties"] = [
                {"id": f"{SCHEME}-{o.uscc}", "name": o.name,
                 "identifier": {"scheme": SCHEME, "id": o.uscc, "legalName": o.name},
                 "roles": [role for role in ROLE_ORDER if role in self.roles[pk]]}
                for pk, o in self.mentioned.items()]
            self.mentioned = {}
        return {**release, **body}

    def _status(self, at: datetime, change) -> dict:
        interrupted = change.source if change.target == Lot.Status.SUSPENDED else change.target
        tender = {"id": self.lot.code, "status": TENDER_STATUS.get(interrupted, "active")}
        tags, body = [TAGS.get(change.transition, "tenderUpdate")], {"tender": tender}
        if change.transition == "publish":
            tender.update(self._tender_notice())
            if not self.sells:
                body["buyer"] = self._ref(self.lot.project.tenderee, "buyer")
            if failed := self.lot.retender_of:
                body["relatedProcesses"] = [{"id": f"unsuccessful-{failed.pk}", "relationship": ["unsuccessfulProcess"],
                                             "title": failed.title, "scheme": "ocid", "identifier": ocid_of(failed)}]
        elif change.transition == "resume" and (deadline := next(self.resumed_deadlines, None)):
            tender["tenderPeriod"] = {"endDate": _iso(deadline)}
        elif change.transition == "award" and (made := next(self.awards_made, None)):
            award, winner = made
            body["awards"] = [{**award, "suppliers": [self._supplier(winner)]}]
            self.live_award = award["id"]
        elif change.transition in ("reopen_award", "terminate") and self.live_award:
            body["awards"] = [{"id": self.live_award, "status": "cancelled"}]
            self.live_award = ""
            if change.transition == "terminate":
                tags.append("awardCancellation")
        elif change.transition == "record_contract":
            body["contracts"] = self._contracts()
        self._result_told(at, change, body, tender)
        return self._release(f"status-{change.pk}", at, tags, body)

    def _amendment(self, at: datetime, notice: Announcement) -> dict:
        tender = {"id": self.lot.code, "status": "active",
                  "amendments": [{"id": f"amendment-{notice.pk}", "date": _iso(at), "description": notice.title,
                                  "rationale": notice.body}]}
        if deadline := notice.schedule.get("bid_deadline"):
            tender["tenderPeriod"] = {"endDate": _iso(datetime.fromisoformat(deadline))}
        return self._release(f"amendment-{notice.pk}", at, ["tenderAmendment"], {"tender": tender})

    def _extension(self, at: datetime, extension) -> dict:
        """A bid deadline extended after a platform outage (docs/availability.md): an amendment of
        the tender's period, its rationale the outage rule's numbers."""
        rationale = (f"平台故障顺延 (platform outage): unavailable {extension.unavailable_seconds} s within "
                     f"{extension.period_minutes} min before the deadline, tolerance {extension.tolerance_minutes} min; "
                     f"extended by {extension.extension_minutes} min")
        tender = {"id": self.lot.code, "status": "active",
                  "tenderPeriod": {"endDate": _iso(extension.new_deadline)},
                  "amendments": [{"id": f"deadline-extension-{extension.pk}", "date": _iso(at),
                                  "description": "投标截止时间顺延 (bid deadline extended)", "rationale": rationale}]}
        return self._release(f"deadline-extension-{extension.pk}", at, ["tenderAmendment"], {"tender": tender})

    def _count(self, at: datetime, count) -> dict:
        body = {"tender": {"id": self.lot.code, "status": "active"},
                "bids": {"statistics": [self._statistic("bids", count.sealed, at)]}}
        return self._release("bid-count", at, ["tenderUpdate"], body)

    def _opening(self, at: datetime, _row) -> dict:
        opened = self.bidding.opened
        # One sealed bid per bidder reaches the opening (the constraint on Bid), so no bidder twice.
        tender = {"id": self.lot.code, "status": "active", "numberOfTenderers": len(opened),
                  "tenderers": [self._ref(bid.organisation, "tenderer") for bid in opened]}
        body = {"tender": tender, "bids": {"details": [self._bid(bid, final=False) for bid in opened],
                                           "statistics": [self._statistic("bids", len(opened), at)]}}
        return self._release("opening-record", at, ["tenderUpdate"], body)

    def _tender_notice(self) -> dict:
        """The tender as its announcement published it (the schedule it announced)."""
        lot, project = self.lot, self.lot.project
        notice = next((a for a in lot.ocds_notices if a.kind != Announcement.Kind.AMENDMENT), None)
        schedule = notice.schedule if notice else {}

        def announced(name):
            return datetime.fromisoformat(schedule[name]) if schedule.get(name) else getattr(lot, name)

        start, end = ("listing_start", "listing_end") if lot.is_listing else ("bidding_opens_at", "bid_deadline")
        period = {key: _iso(at) for key, at in (("startDate", announced(start)), ("endDate", announced(end))) if at}
        tender = {
            "title": lot.title, "description": project.title,
            "procuringEntity": self._ref(project.tenderee, "procuringEntity", *(["payee"] if self.sells else [])),
            "procurementMethod": METHODS.get(project.procedure.code, "open"),
            "procurementMethodDetails": f"{project.market.name_zh} · {project.procedure.name_zh}",
            "submissionMethod": ["electronicAuction" if lot.is_listing else "electronicSubmission"],
            "minValue" if self.sells else "value": {"amount": _amount(lot.estimate), "currency": lot.currency},
        }
        if period:
            tender["tenderPeriod"] = period
        if category := CATEGORIES.get(project.market.code):
            tender["mainProcurementCategory"] = category
        if self.sells:
            tender["awardCriteriaDetails"] = "价高者得 (the highest price wins)"
        return tender

    def _supplier(self, organisation) -> dict:
        return self._ref(organisation, "tenderer", "supplier", *(["payer"] if self.sells else []))

    def _deal_award(self) -> tuple[dict, object]:
        deal = self.bidding.deal
        return ({"id": f"deal-{deal.pk}", "status": "active", "date": _iso(deal.issued_at),
                 "value": {"amount": _amount(deal.price), "currency": self.lot.currency}}, deal.organisation)

    def _proposal_award(self, proposal) -> tuple[dict, object]:
        candidate = proposal.candidate
        return ({"id": f"award-{proposal.pk}", "status": "active", "date": _iso(proposal.reviewed_at),
                 "value": {"amount": _amount(candidate.price), "currency": self.lot.currency},
                 "relatedBids": [f"bid-{candidate.bid_id}"]}, candidate.organisation)

    def _contracts(self) -> list[dict]:
        contracts = []
        for proposal in self.bidding.awards:
            contract = getattr(proposal, "contract", None)
            if contract is None or contract.recorded_at is None:
                continue
            entry = {"id": f"contract-{contract.pk}", "awardID": f"award-{proposal.pk}", "status": "active",
                     "relatedBids": [f"bid-{proposal.candidate.bid_id}"]}
            if contract.signed_on:
                signed = datetime.combine(contract.signed_on, time(), tzinfo=timezone.get_default_timezone())
                entry["dateSigned"] = _iso(signed)
            if contract.amount is not None:
                entry["value"] = {"amount": _amount(contract.amount), "currency": self.lot.currency}
            if contract.reference:
                entry["description"] = contract.reference
            contracts.append(entry)
        return contracts

    def _result_told(self, at: datetime, change, body: dict, tender: dict) -> None:
        """The evaluation's findings and candidates join the release of the move that makes them public."""
        evaluation = self.bidding.evaluation
        if (evaluation and self.bidding.opened and not self.result_told and change.transition in RESULT_MOVES
                and at >= evaluation.reported_at):
            bids = body["bids"] = {}
            bids["details"] = [self._bid(bid, final=True) for bid in self.bidding.opened]
            statuses = [detail["status"] for detail in bids["details"]]
            bids["statistics"] = [
                self._statistic(measure, statuses.count(status), evaluation.reported_at)
                for measure, status in (("validBids", "valid"), ("disqualifiedBids", "disqualified"))]
            tender["awardCriteria"] = AWARD_CRITERIA[evaluation.method]
            tender["mainProcurementCategory"] = CATEGORIES.get(self.lot.project.market.code, evaluation.category)
            self.result_told = True

    def _bid(self, bid: Bid, *, final: bool) -> dict:
        """One opened bid; before its evaluation is public, a bid the panel has judged is still pending."""
        status = bid.status
        if not final and status in (Bid.Status.VALID, Bid.Status.REJECTED):
            status = Bid.Status.OPENED
        detail = {"id": f"bid-{bid.pk}", "date": _iso(bid.received_at), "status": BID_STATUS[status],
                  "tenderers": [self._ref(bid.organisation, "tenderer")]}
        if bid.opening.price is not None:
            detail["value"] = {"amount": _amount(bid.opening.price), "currency": self.lot.currency}
        if final and (candidate := self.bidding.candidates.get(bid.pk)):
            detail.update(hasRank=True, rank=candidate.rank)
        return detail

    @staticmethod
    def _statistic(measure: str, value: int, at: datetime) -> dict:
        return {"id": measure, "measure": measure, "value": value, "date": _iso(at)}


def _resumed_deadlines(lots: list[Lot]) -> dict[int, list]:
    """Per lot, in order, the bid deadline each resumption set (None where it kept the old one): the
    resumption's move carries it in its event, not in the status-change row."""
    deadlines = defaultdict(list)
    entries = (AuditEntry.objects.filter(subject__in=[f"lot:{lot.pk}" for lot in lots], kind="lot.status_changed",
                                         data__transition="resume")
               .order_by("subject", "subject_seq").values_list("subject", "data"))
    for subject, data in entries:
        value = data.get("bid_deadline")
        deadlines[int(subject.split(":")[1])].append(datetime.fromisoformat(value) if value else None)
    return deadlines


def releases_of(lots: list[Lot]) -> dict[int, list[dict]]:
    """Each lot's releases in date order, by lot id. ``lots`` come from
    ``trading.selectors_ocds.lot_list_ocds`` (they carry its prefetches)."""
    bidding = lots_bidding_ocds(lot_ids=[lot.pk for lot in lots])
    resumed = _resumed_deadlines(lots) if lots else {}
    return {lot.pk: _Process(lot, bidding[lot.pk], resumed.get(lot.pk, [])).releases() for lot in lots}


def _merge(into: dict, release: dict) -> dict:
    for key, value in release.items():
        if isinstance(value, dict):
            into[key] = _merge(into.get(key, {}), value)
        elif isinstance(value, list) and value and all(isinstance(item, dict) and "id" in item for item in value):
            merged = {item["id"]: item for item in into.get(key, [])}
            for item in value:
                merged[item["id"]] = _merge(merged.get(item["id"], {}), item)
            into[key] = list(merged.values())
        else:
            into[key] = copy.deepcopy(value)
    return into


def compile_releases(releases: list[dict]) -> dict:
    """The compiled release: ``releases`` (of one ocid, in date order) merged by OCDS's rules."""
    compiled: dict = {}
    for release in releases:
        _merge(compiled, {key: value for key, value in release.items() if key not in ("id", "date", "tag")})
    last = releases[-1]["date"]
    return {"ocid": releases[0]["ocid"], "id": f"{releases[0]['ocid']}-{last}", "date": last, "tag": ["compiled"],
            **{key: value for key, value in compiled.items() if key != "ocid"}}


def record_of(releases: list[dict]) -> dict:
    return {"ocid": releases[0]["ocid"], "releases": releases, "compiledRelease": compile_releases(releases)}


def lot_releases(lot: Lot) -> list[dict]:
    """The releases of one public lot (read afresh through the selectors); [] if it is not public."""
    fresh = lot_get_ocds(lot_id=lot.pk)
    return releases_of([fresh])[fresh.pk] if fresh else []


def lot_record(lot: Lot) -> dict | None:
    """The record of one public lot; None if it is not public."""
    releases = lot_releases(lot)
    return record_of(releases) if releases else None


def _latest(dates) -> str:
    return max(dates, key=datetime.fromisoformat)


def _package(kind: str, items: list[dict], *, uri: str, published: str) -> dict:
    return {"uri": uri, "publishedDate": published,
            "publisher": {"name": settings.PLATFORM_OCDS_PUBLISHER},
            "version": OCDS_VERSION, "extensions": [BID_EXTENSION], kind: items}


def release_package(releases: list[dict], *, uri: str) -> dict:
    """A package of ``releases`` (at least one). Generated on demand, so it is dated by its newest
    release, as the standard asks: the same data gives the same package."""
    return _package("releases", releases, uri=uri, published=_latest(r["date"] for r in releases))


def record_package(records: list[dict], *, uri: str) -> dict:
    return _package("records", records, uri=uri, published=_latest(r["compiledRelease"]["date"] for r in records))


def lot_list_export(*, since: datetime | None = None):
    """Public lots in a stable order; with ``since``, those with a release dated at or after it."""
    lots = lot_list_ocds()
    if since is not None:
        lots = lots.filter(Q(pk__in=lot_ids_changed_since(since=since)) | Q(pk__in=lot_ids_told_since(since=since)))
    return lots


def releases_since(lots: list[Lot], since: datetime | None = None) -> list[dict]:
    """The releases of ``lots`` (from ``lot_list_export``) lot after lot, each lot's in date order;
    with ``since``, only those dated at or after it."""
    releases = [release for of_lot in releases_of(lots).values() for release in of_lot]
    return [r for r in releases if since is None or datetime.fromisoformat(r["date"]) >= since]

"""Open data: a lot in every state exports as OCDS 1.1.5 that validates against the official schemas
(vendored in ``ocds_schema/``, the bids extension merged in) and their codelists, through the
builder, the API and the export command; nothing about a bid leaks before its opening record."""
import io
import json
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.evaluation.services.awards import (award_propose, award_review, award_withdraw, candidates_publish,
                                                contract_record)
from bidding.sales.services.auctions import auction_accept, auction_create, auction_due_sweep
from bidding.sales.services.listings import listing_close_sweep, listing_create, listing_quote
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import bids_count_sweep, opening_close_sweep, opening_start, share_present
from monitoring.opendata.apis import LotPages
from monitoring.opendata.ocds import lot_record, lot_releases, ocid_of, record_package, release_package
from monitoring.opendata.tests.ocds_validation import (merge_patch, NOT_VENDORED, record_package_check, RELEASE,
                                                       release_package_check, schema_check, SCHEMAS)
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading import clock
from trading.models import Lot
from trading.services.lots import lot_amend, lot_due_sweep, lot_resume, lot_suspend
from trading.services.moves import lot_transition
from trading.services.registrations import registration_create
from trading.services.retender import lot_retender

pytestmark = pytest.mark.django_db

PRICES = ["912345.67", "923456.78", "934567.89", "945678.91"]


def exported(lot) -> tuple[list[dict], dict]:
    """The lot's releases and compiled release, each package checked; the releases alone too."""
    releases, record = lot_releases(lot), lot_record(lot)
    for release in releases:
        schema_check(RELEASE, release)
    assert record["releases"] == releases
    release_package_check(release_package(releases, uri="https://example.org/api/ocds/releases/"))
    record_package_check(record_package([record], uri="https://example.org/api/ocds/records/"))
    return releases, record["compiledRelease"]


def tags(releases):
    return [tag for release in releases for tag in release["tag"]]


def sealed_check(lot, bidders) -> None:
    text = json.dumps([lot_releases(lot), lot_record(lot)], ensure_ascii=False)
    for user in bidders:
        assert user.organisation.name not in text and user.organisation.uscc not in text
    assert not any(price in text for price in PRICES)


@pytest.fixture
def tender_lot(make_lot, publish_sealed, make_person):
    """``make(prices, market=...)``: a published tender lot with one sealed bid per price."""
    def make(prices, *, market="construction", **fields):
        lot = publish_sealed(make_lot(market, deposit=Decimal("0"), **fields))
        key = public_key_load(bytes(lot.opening_key.public_key_raw))
        bidders = []
        for n, price in enumerate(prices, 1):
            user = make_person(f"ocds_bidder_{n}", ["bidder"], organisation=f"第{n}开放数据投标有限公司")
            registration_create(lot_id=lot.pk, user=user)
            out, proposal = io.BytesIO(), b"proposal " * 10
            seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc,
                 price_form={"price": price, "period_days": 180, "items": {}},
                 files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
            bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(out.getvalue()), length=len(out.getvalue()))
            bidders.append(user)
        lot.refresh_from_db()
        return lot, bidders

    return make


@pytest.fixture
def advance():
    """``advance(at)``: the clock jumps to ``at`` and runs on from there, so that each step of a
    lot happens after the one before, as the releases' dates must."""
    travellers = []

    def to(at):
        if travellers:
            travellers.pop().stop()
        travellers.append(time_machine.travel(at, tick=True))
        travellers[-1].start()

    yield to
    for traveller in travellers:
        traveller.stop()


def closed(lot, advance):
    advance(lot.bid_deadline)
    lot_due_sweep()
    bids_count_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED


def opened(lot, custodians):
    session = opening_start(lot_id=lot.pk, actor="user:1")
    for custodian in custodians[:2]:
        share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.OPENING


def evaluated(lot, evaluate, advance):
    advance(lot.opening_session.responses_until)
    opening_close_sweep()
    evaluate(lot)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.EVALUATION


def awarded(lot, regulator):
    proposal = award_propose(lot_id=lot.pk, actor="user:1")
    award_review(proposal_id=proposal.pk, user=regulator, approve=True)
    proposal.refresh_from_db()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    return proposal


def in_publicity(lot):
    candidates_publish(lot_id=lot.pk, actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.PUBLICITY


def publicity_over(lot, advance):
    advance(lot.publicity_end)
    lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARD_REVIEW


def test_the_vendored_schemas_are_the_official_ones():
    # The team's copy sits beside the repository's checkout; a clone elsewhere (CI's) names it with
    # OCDS_OFFICIAL_DIR, or finds it where this workplace keeps it.
    places = [os.environ.get("OCDS_OFFICIAL_DIR", ""), settings.BASE_DIR.parent / "shared" / "ocds",
              "/work/shared/ocds"]
    shared = next((Path(place) for place in places if place and Path(place).is_dir()), None)
    if shared is None:
        pytest.skip("no official copy of the OCDS schemas on this machine to compare with")
    vendored = {p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*") if p.is_file()}
    official = {p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file()}
    assert vendored == official - NOT_VENDORED
    for name in sorted(vendored):
        assert (SCHEMAS / name).read_bytes() == (shared / name).read_bytes(), name


def test_merge_patch_follows_rfc_7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [None, 3]}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "list": [None, 3]}
    assert RELEASE["definitions"]["Bid"]["properties"]["status"]["enum"][-1] is None  # the extension is in
    assert "bids" in RELEASE["properties"] and "relatedBids" in RELEASE["definitions"]["Award"]["properties"]


def test_a_published_lot_with_an_amendment_then_open_for_bids(make_lot, publish_sealed):
    lot = publish_sealed(make_lot("construction", bidding_opens_at=clock.now() + timedelta(days=1)))
    assert lot.status == Lot.Status.PUBLISHED
    releases, compiled = exported(lot)
    assert tags(releases) == ["tender"]
    tender = compiled["tender"]
    assert (tender["status"], tender["procurementMethod"], tender["mainProcurementCategory"]) == (
        "active", "open", "works")
    assert tender["value"] == {"amount": 1000000, "currency": "CNY"}
    tenderee = lot.project.tenderee
    assert compiled["parties"] == [{
        "id": f"CN-USCI-{tenderee.uscc}", "name": tenderee.name, "roles": ["buyer", "procuringEntity"],
        "identifier": {"scheme": "CN-USCI", "id": tenderee.uscc, "legalName": tenderee.name}}]
    later = lot.bid_deadline + timedelta(days=5)
    lot_amend(lot_id=lot.pk, title="澄清公告", body="截止时间顺延", actor="user:1", bid_deadline=later)
    with time_machine.travel(lot.bidding_opens_at, tick=False):
        lot_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.BIDDING
    releases, compiled = exported(lot)
    assert tags(releases) == ["tender", "tenderAmendment", "tenderUpdate"]
    assert compiled["tender"]["tenderPeriod"]["endDate"] == later.isoformat()
    assert [a["description"] for a in compiled["tender"]["amendments"]] == ["澄清公告"]


def test_a_closed_lot_tells_how_many_bids_but_not_whose_or_at_what_price_then_the_opening_does(
        tender_lot, custodians, advance):
    lot, bidders = tender_lot(PRICES[:3])
    sealed_check(lot, bidders)
    closed(lot, advance)
    releases, compiled = exported(lot)
    sealed_check(lot, bidders)
    assert compiled["bids"] == {"statistics": [{"id": "bids", "measure": "bids", "value": 3,
                                                "date": lot.bid_count.counted_at.isoformat()}]}
    opened(lot, custodians)
    releases, compiled = exported(lot)
    # Published, bidding opened, closed, bids counted, opening started, and the record.
    assert tags(releases) == ["tender"] + ["tenderUpdate"] * 5
    assert releases[-1]["id"] == f"{ocid_of(lot)}-opening-record"
    details = compiled["bids"]["details"]
    assert [(d["tenderers"][0]["name"], d["value"]["amount"], d["status"]) for d in details] == [
        (user.organisation.name, float(price), "pending") for user, price in zip(bidders, PRICES)]
    assert {p["name"]: p["roles"] for p in compiled["parties"]}[bidders[0].organisation.name] == ["tenderer"]


def test_too_few_bids_fail_the_lot_and_stay_sealed(tender_lot, advance):
    lot, bidders = tender_lot(PRICES[:2])
    closed(lot, advance)
    assert opening_start(lot_id=lot.pk, actor="user:1") is None
    lot.refresh_from_db()
    assert lot.status == Lot.Status.FAILED
    releases, compiled = exported(lot)
    assert compiled["tender"]["status"] == "unsuccessful" and releases[-1]["tag"] == ["tenderUpdate"]
    sealed_check(lot, bidders)


def test_a_failed_lot_tendered_again_names_the_unsuccessful_process(tender_lot, publish_sealed, advance):
    failed, _bidders = tender_lot(PRICES[:2])
    closed(failed, advance)
    assert opening_start(lot_id=failed.pk, actor="user:1") is None
    lot = publish_sealed(lot_retender(lot_id=failed.pk, actor="user:1"))
    releases, compiled = exported(lot)
    related = [{"id": f"unsuccessful-{failed.pk}", "relationship": ["unsuccessfulProcess"], "title": failed.title,
                "scheme": "ocid", "identifier": ocid_of(failed)}]
    assert releases[0]["tag"] == ["tender"] and releases[0]["relatedProcesses"] == related
    assert compiled["relatedProcesses"] == related and compiled["ocid"] != ocid_of(failed)
    failed_releases, failed_compiled = exported(failed)
    assert not any("relatedProcesses" in release for release in failed_releases)
    assert failed_compiled["tender"]["status"] == "unsuccessful"


def test_a_procurement_lot_from_opening_to_contract(tender_lot, custodians, evaluate, regulator, advance):
    lot, bidders = tender_lot(PRICES, market="procurement")
    closed(lot, advance)
    opened(lot, custodians)
    evaluated(lot, evaluate, advance)
    releases, compiled = exported(lot)
    # Judged, but the findings are public with the candidates only.
    assert {d["status"] for d in compiled["bids"]["details"]} == {"pending"}
    assert "mainProcurementCategory" not in compiled["tender"]
    in_publicity(lot)
    releases, compiled = exported(lot)
    details = compiled["bids"]["details"]
    assert [(d["status"], d.get("rank")) for d in details] == [("valid", 1), ("valid", 2), ("valid", 3),
                                                                ("valid", None)]
    tender = compiled["tender"]
    assert (tender["awardCriteria"], tender["mainProcurementCategory"]) == ("priceOnly", "goods")
    publicity_over(lot, advance)
    releases, compiled = exported(lot)
    assert (compiled["tender"]["status"], "awards" in compiled) == ("active", False)  # under review: no award yet
    proposal = awarded(lot, regulator)
    releases, compiled = exported(lot)
    winner = bidders[0].organisation
    assert releases[-1]["tag"] == ["award"]
    assert compiled["awards"] == [{"id": f"award-{proposal.pk}", "status": "active",
                                   "date": proposal.reviewed_at.isoformat(),
                                   "value": {"amount": 912345.67, "currency": "CNY"},
                                   "relatedBids": [f"bid-{proposal.candidate.bid_id}"],
                                   "suppliers": [{"id": f"CN-USCI-{winner.uscc}", "name": winner.name}]}]
    assert compiled["tender"]["status"] == "complete"
    assert {p["name"]: p["roles"] for p in compiled["parties"]}[winner.name] == ["tenderer", "supplier"]
    contract_record(lot_id=lot.pk, signed_on=clock.now().date(), amount="912345.67", reference="HT-2026-007",
                    actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CONTRACTED
    releases, compiled = exported(lot)
    assert releases[-1]["tag"] == ["contract"]
    (contract,) = compiled["contracts"]
    assert (contract["awardID"], contract["status"], contract["value"]["amount"], contract["description"]) == (
        f"award-{proposal.pk}", "active", 912345.67, "HT-2026-007")
    seen = release_package_check(release_package(releases, uri="https://example.org/p"))
    assert {"releaseTag.csv", "initiationType.csv", "tenderStatus.csv", "method.csv", "procurementCategory.csv",
            "awardCriteria.csv", "submissionMethod.csv", "awardStatus.csv", "contractStatus.csv", "partyRole.csv",
            "currency.csv", "bidStatus.csv", "statistic.csv"} <= seen


def test_a_withdrawn_award_goes_to_the_next_candidate_and_a_termination_cancels_it(
        tender_lot, custodians, evaluate, regulator, advance):
    lot, bidders = tender_lot(PRICES, market="procurement")
    closed(lot, advance)
    opened(lot, custodians)
    evaluated(lot, evaluate, advance)
    in_publicity(lot)
    publicity_over(lot, advance)
    first = awarded(lot, regulator)
    award_withdraw(lot_id=lot.pk, reason="declined", retender=False, actor="user:1")
    second = awarded(lot, regulator)
    releases, compiled = exported(lot)
    assert tags(releases)[-3:] == ["award", "awardCancellation", "award"]
    assert [(a["id"], a["status"]) for a in compiled["awards"]] == [
        (f"award-{first.pk}", "cancelled"), (f"award-{second.pk}", "active")]
    lot_transition(lot_id=lot.pk, transition="terminate", actor="user:1")
    releases, compiled = exported(lot)
    assert releases[-1]["tag"] == ["tenderCancellation", "awardCancellation"]
    assert compiled["tender"]["status"] == "cancelled"
    assert {a["status"] for a in compiled["awards"]} == {"cancelled"}


def test_a_cancelled_lot(make_lot, publish_sealed):
    lot = publish_sealed(make_lot("hr"))
    lot_transition(lot_id=lot.pk, transition="cancel", actor="user:1")
    releases, compiled = exported(lot)
    assert releases[-1]["tag"] == ["tenderCancellation"]
    assert (compiled["tender"]["status"], compiled["tender"]["mainProcurementCategory"]) == ("cancelled", "services")


def test_a_suspended_lot_stays_active_and_resumes_with_its_new_deadline(make_lot, publish_sealed):
    lot = publish_sealed(make_lot("procurement", "invited_tender"))
    lot_suspend(lot_id=lot.pk, reason="投诉处理中", actor="user:1")
    lot.refresh_from_db()
    assert lot.status == Lot.Status.SUSPENDED
    releases, compiled = exported(lot)
    assert (releases[-1]["tag"], compiled["tender"]["status"], compiled["tender"]["procurementMethod"]) == (
        ["tenderUpdate"], "active", "selective")
    later = lot.bid_deadline + timedelta(days=10)
    lot_resume(lot_id=lot.pk, actor="user:1", bid_deadline=later)
    releases, compiled = exported(lot)
    assert compiled["tender"]["tenderPeriod"]["endDate"] == later.isoformat()


def test_a_land_lot_in_its_listing_then_sold_to_its_one_quote(make_listing_lot, bidder_a, bidder_b):
    lot = make_listing_lot([bidder_a, bidder_b])
    listing_create(lot_id=lot.pk, starting_price="5000000.00", increment="100000.00", actor="user:1")
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        listing_quote(lot_id=lot.pk, user=bidder_a, amount="5000000.00")
    releases, compiled = exported(lot)
    tender = compiled["tender"]
    assert (tender["procurementMethod"], tender["submissionMethod"], tender["minValue"]["amount"]) == (
        "open", ["electronicAuction"], 1000000)
    assert "mainProcurementCategory" not in tender and "buyer" not in compiled
    sealed_check(lot, [bidder_a, bidder_b])
    with time_machine.travel(lot.listing_end, tick=False):
        listing_close_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    releases, compiled = exported(lot)
    (award,) = compiled["awards"]
    assert (award["value"]["amount"], award["suppliers"][0]["name"]) == (5000000, bidder_a.organisation.name)
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles == {lot.project.tenderee.name: ["procuringEntity", "payee"],
                     bidder_a.organisation.name: ["tenderer", "supplier", "payer"]}
    assert bidder_b.organisation.name not in json.dumps(compiled, ensure_ascii=False)


def test_an_equity_lot_sold_in_a_descending_auction(make_listing_lot, bidder_a, bidder_b):
    lot = make_listing_lot([bidder_a, bidder_b], market="property", procedure="descending_auction",
                           deposit="1000.00", days=40)
    start = lot.listing_start + timedelta(minutes=5)
    with time_machine.travel(lot.listing_start + timedelta(minutes=1), tick=False):
        auction = auction_create(lot_id=lot.pk, method="descending", starting_price="1000000.00",
                                 floor_price="700000.00", decrement="50000.00", step_seconds=60, starts_at=start,
                                 actor="user:1")
    with time_machine.travel(start, tick=False):
        auction_due_sweep()
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AUCTION
    exported(lot)
    with time_machine.travel(start + timedelta(seconds=150), tick=False):
        auction_accept(auction_id=auction.pk, user=bidder_b)
    releases, compiled = exported(lot)
    assert releases[-1]["tag"] == ["award"] and compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["value"] == {"amount": 900000, "currency": "CNY"}


def api_get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_serves_packages_of_public_lots_only(client, make_lot, publish_sealed, django_assert_num_queries):
    lots = [publish_sealed(make_lot("construction")) for _ in range(3)]
    draft = make_lot("construction")
    ocid = ocid_of(lots[0])
    package = api_get(client, f"/api/ocds/releases/{ocid}/")
    release_package_check(package)
    assert package["uri"] == f"http://testserver/api/ocds/releases/{ocid}/"
    assert package["publisher"] == {"name": "公共资源交易平台"} and package["version"] == "1.1"
    record_package_check(api_get(client, f"/api/ocds/records/{ocid}/"))
    for missing in (ocid_of(draft), "ocds-elsewhere-1", f"{ocid}x", f"ocds-pr0000-0{lots[0].pk}",
                    "ocds-pr0000-99999999"):
        answer = client.get(f"/api/ocds/releases/{missing}/")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert client.get(f"/api/ocds/records/{ocid_of(draft)}/").status_code == 404

    with django_assert_num_queries(12):
        package = api_get(client, "/api/ocds/releases/")
    release_package_check(package)
    assert {r["ocid"] for r in package["releases"]} == {ocid_of(lot) for lot in lots}
    lots.append(publish_sealed(make_lot("construction")))
    with django_assert_num_queries(12):  # as many for four lots as for three
        api_get(client, "/api/ocds/releases/")
    record_package_check(api_get(client, "/api/ocds/records/"))
    first = client.get("/api/ocds/releases/?page=1")
    assert "Link" not in first.headers
    assert client.get("/api/ocds/releases/?page=9").status_code == 404


def test_the_api_pages_and_filters_by_date(client, make_lot, publish_sealed, monkeypatch):
    monkeypatch.setattr(LotPages, "page_size", 2)
    early = [publish_sealed(make_lot("construction")) for _ in range(3)]
    first = client.get("/api/ocds/releases/")
    assert first.headers["Link"] == '<http://testserver/api/ocds/releases/?page=2>; rel="next"'
    second = api_get(client, "/api/ocds/releases/?page=2")
    release_package_check(second)
    assert {r["ocid"] for r in second["releases"]} == {ocid_of(early[2])}
    cut = clock.now()
    lot_suspend(lot_id=early[1].pk, reason="暂停", actor="user:1")
    since = api_get(client, f"/api/ocds/releases/?since={cut.isoformat().replace('+', '%2B')}")
    release_package_check(since)
    assert [(r["ocid"], r["tag"]) for r in since["releases"]] == [(ocid_of(early[1]), ["tenderUpdate"])]
    records = api_get(client, f"/api/ocds/records/?since={cut.date().isoformat()}")
    record_package_check(records)
    # A date means its midnight in China: tomorrow there, whatever the hour in UTC.
    tomorrow = (timezone.localdate(clock.now()) + timedelta(days=1)).isoformat()
    assert client.get(f"/api/ocds/releases/?since={tomorrow}").json()["code"] == "no_releases"
    assert client.get("/api/ocds/releases/?since=yesterday").json()["code"] == "invalid_since"


def test_the_export_command_writes_both_packages(make_lot, publish_sealed, make_listing_lot, bidder_a, tmp_path,
                                                 capsys):
    with pytest.raises(CommandError):
        call_command("ocds_export", "--stdout")
    lots = [publish_sealed(make_lot("construction")), make_listing_lot([bidder_a])]
    make_lot("land", "listing_timed_bidding")  # a draft: not exported
    call_command("ocds_export", "--out", str(tmp_path / "export"), "--base-url", "https://ggzy.example.gov.cn/")
    releases = json.loads((tmp_path / "export" / "releases.json").read_text(encoding="utf-8"))
    records = json.loads((tmp_path / "export" / "records.json").read_text(encoding="utf-8"))
    release_package_check(releases)
    record_package_check(records)
    assert releases["uri"] == "https://ggzy.example.gov.cn/api/ocds/releases/"
    assert [r["ocid"] for r in records["records"]] == [ocid_of(lot) for lot in lots]
    capsys.readouterr()
    call_command("ocds_export", "--stdout", "--kind", "records")
    assert json.loads(capsys.readouterr().out) == {**records, "uri": "http://127.0.0.1:8000/api/ocds/records/"}


@override_settings(PLATFORM_OCDS_PREFIX="ocds-ab12cd", PLATFORM_OCDS_PUBLISHER="某市公共资源交易中心")
def test_the_ocid_prefix_and_publisher_are_settings(client, make_lot, publish_sealed):
    lot = publish_sealed(make_lot("construction"))
    assert ocid_of(lot) == f"ocds-ab12cd-{lot.pk}"
    package = api_get(client, f"/api/ocds/releases/ocds-ab12cd-{lot.pk}/")
    release_package_check(package)
    assert {r["ocid"] for r in package["releases"]} == {f"ocds-ab12cd-{lot.pk}"}
    assert all(r["id"].startswith(f"ocds-ab12cd-{lot.pk}-") for r in package["releases"])
    assert package["publisher"] == {"name": "某市公共资源交易中心"}
    assert client.get(f"/api/ocds/releases/ocds-pr0000-{lot.pk}/").status_code == 404


def test_a_deadline_extended_after_an_outage_is_a_tender_amendment(make_lot, publish_sealed):
    """The outage rule's extension (docs/availability.md) moves the tender period's end in the
    releases and the compiled record, with the rule's numbers as its rationale."""
    from trading.models import DeadlineExtension

    lot = publish_sealed(make_lot("construction"))
    old = lot.bid_deadline
    new = old + timedelta(hours=2)
    extension = DeadlineExtension.objects.create(
        lot=lot, old_deadline=old, new_deadline=new, extended_at=old - timedelta(minutes=5),
        counted_from=old - timedelta(hours=2), counted_until=old - timedelta(minutes=5), unavailable_seconds=2400,
        tolerance_minutes=30, period_minutes=120, extension_minutes=120)
    releases, compiled = exported(lot)
    [amendment] = [r for r in releases if r["id"].endswith(f"deadline-extension-{extension.pk}")]
    assert amendment["tag"] == ["tenderAmendment"]
    assert amendment["tender"]["tenderPeriod"] == {"endDate": new.isoformat()}
    assert "2400 s" in amendment["tender"]["amendments"][0]["rationale"]
    assert compiled["tender"]["tenderPeriod"]["endDate"] == new.isoformat()

"""Red flags end to end: bids sealed and submitted for real, opened by the custodians, the sweep
raising the flags with their evidence on the audit chain, and electronic supervision's red alert."""
import hashlib
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bidding.crypto.canonical import canonical_json
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
from bidding.sealed.models import Bid
from monitoring.integrity.models import Flag, FlagCheck
from monitoring.integrity.services_flags import flags_sweep
from monitoring.models import AuditEntry
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from trading.models import Lot, Role
from trading.services.documents import document_upload
from trading.services.lots import lot_due_sweep

from .flags_helpers import after_opening, bidders, collusion_lot, device, docx, lot_open, pdf, sealed_lot, submit

pytestmark = pytest.mark.django_db
PRICES = ["900000.00", "920000.00", "940000.00"]


@pytest.fixture
def collusion(make_lot, publish_sealed, make_person, custodians):
    return collusion_lot(make_lot, publish_sealed, make_person, custodians)


@pytest.fixture
def clean(make_lot, publish_sealed, make_person, custodians):
    """The same number of bids, each from its own address and device, its own documents, and prices
    that follow no pattern."""
    lot = sealed_lot(make_lot, publish_sealed)
    people = bidders(make_person, 3, "honest")
    start = lot.bid_deadline - timedelta(days=2)
    for n, (user, price) in enumerate(zip(people, ["900000.00", "935500.00", "978300.00"])):
        meta = {"author": f"作者{n}", "software": "Microsoft Word", "created": f"D:2026102{n}090000+08'00'"}
        submit(lot, user, price, files=[("技术标.pdf", pdf(**meta, text="y" * n))], ip=f"198.51.100.{n + 1}",
               device=device(10 + n), at=start + timedelta(hours=n))
    lot_open(lot, custodians)
    return lot


def members(flag) -> list[tuple[str, str]]:
    return [(bid["bidder"], bid["receipt"]) for group in flag.evidence["groups"] for bid in group["bids"]]


def test_the_seeded_collusion_is_flagged_with_its_evidence_and_raises_red_alerts(collusion, make_person):
    lot, bids = collusion
    expected = [(bid.organisation.uscc, str(bid.receipt_id)) for bid in bids]
    with after_opening(lot):
        assert flags_sweep() == {"opening": 1, "award": 0, "flags": 3}
    flags = {flag.rule: flag for flag in Flag.objects.filter(lot=lot)}
    assert set(flags) == {"same_ip", "same_metadata", "price_progression"}

    same_ip = flags["same_ip"].evidence["groups"]
    assert len(same_ip) == 1 and same_ip[0]["value"] == "203.0.113.7" and members(flags["same_ip"]) == expected
    assert [bid["name"] for bid in same_ip[0]["bids"]] == [bid.organisation.name for bid in bids]
    metadata = flags["same_metadata"].evidence["groups"][0]
    assert metadata["value"] == {"author": "王五", "software": "WPS Office", "created": "2026-10-30T09:00:00+08:00"}
    assert [bid["file"] for bid in metadata["bids"]] == ["技术标0.pdf", "技术标1.pdf", "技术标2.pdf"]
    progression = flags["price_progression"]
    assert progression.evidence["values"] == {"step": "20000.00", "tolerance": "1/1000"}
    assert [bid["price"] for bid in progression.evidence["groups"][0]["bids"]] == PRICES
    assert members(progression) == expected

    check = FlagCheck.objects.get(lot=lot, stage="opening")
    assert check.flags == 3
    assert check.thresholds["flag_price_pattern"] == {"amount": 1, "denominator": 1000, "unit": "fraction",
                                                      "sense": "max"}
    assert set(check.thresholds) == {"flag_ceiling_band", "flag_price_pattern", "flag_price_gap",
                                     "flag_submission_gap", "flag_short_period"}

    # On the chain, under the regulators' subject, never the lot's public one.
    raised = AuditEntry.objects.filter(kind="integrity.flag_raised").order_by("pk")
    assert {entry.subject for entry in raised} == {"integrity"}
    for entry in raised:
        flag = Flag.objects.get(pk=entry.data["flag"])
        assert entry.data == {"lot": lot.pk, "flag": flag.pk, "rule": flag.rule, "stage": "opening",
                              "evidence_sha256": hashlib.sha256(canonical_json(flag.evidence)).hexdigest()}
    checked = AuditEntry.objects.get(kind="integrity.flags_checked")
    assert checked.data["flags"] == 3 and checked.data["rules"] == sorted(flags)
    assert not AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind__startswith="integrity.").exists()

    with after_opening(lot):
        alerts_sweep()
    alerts = Alert.objects.filter(rule="red_flag", lot=lot)
    assert alerts.count() == 3 and {alert.level for alert in alerts} == {"red"}
    assert {alert.data["rule"] for alert in alerts} == set(flags)
    assert {alert.data["flag"] for alert in alerts} == {flag.pk for flag in flags.values()}
    # The alert leads a regulator to the flag's evidence; staff, who share the alerts page, get no link.
    alert = alerts.get(data__rule="same_ip")
    regulator, staff = Client(), Client()
    regulator.force_login(make_person("flag-regulator", roles=[Role.REGULATOR]))
    staff.force_login(make_person("flag-staff", roles=[Role.STAFF]))
    page = regulator.get(reverse("supervision-alert", args=[alert.pk])).content.decode()
    assert f'href="{reverse("regulator-flag", args=[flags["same_ip"].pk])}"' in page
    staff_page = staff.get(reverse("supervision-alert", args=[alert.pk]))
    assert staff_page.status_code == 200 and 'data-testid="alert-flag"' not in staff_page.content.decode()

    # Idempotent: a second round raises nothing more.
    with after_opening(lot):
        assert flags_sweep() == {"opening": 0, "award": 0, "flags": 0}
        alerts_sweep()
    assert Flag.objects.filter(lot=lot).count() == 3 and Alert.objects.filter(rule="red_flag").count() == 3


def test_a_clean_lot_with_as_many_bids_raises_nothing(clean):
    with after_opening(clean):
        assert flags_sweep() == {"opening": 1, "award": 0, "flags": 0}
        alerts_sweep()
    assert FlagCheck.objects.get(lot=clean, stage="opening").flags == 0
    assert not Flag.objects.filter(lot=clean).exists()
    assert not Alert.objects.filter(rule="red_flag").exists()
    assert AuditEntry.objects.get(kind="integrity.flags_checked").data["flags"] == 0


def test_a_lot_not_yet_opened_is_not_checked(make_lot, publish_sealed, make_person, custodians):
    lot = sealed_lot(make_lot, publish_sealed)
    for n, user in enumerate(bidders(make_person, 3)):
        submit(lot, user, PRICES[n], ip="203.0.113.7")
    lot.refresh_from_db()
    with time_machine.travel(lot.bid_deadline, tick=False):
        lot_due_sweep()
        assert flags_sweep() == {"opening": 0, "award": 0, "flags": 0}
    assert not FlagCheck.objects.exists()


def test_files_the_tender_gave_out_are_not_flagged_when_every_bidder_returns_them(
        make_lot, publish_sealed, make_person, custodians):
    """The tender's bid-form template comes back in every bid: unchanged (the same hash), or filled
    in with its document properties kept. Neither is one hand preparing several bids."""
    template = docx(author="招标代理", application="Microsoft Office Word", version="16.0000",
                    created="2026-10-01T08:00:00Z")
    draft = make_lot("construction", deposit=0)
    document_upload(lot_id=draft.pk, name="投标函格式.docx", stream=io.BytesIO(template), length=len(template),
                    content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    actor="user:1")
    lot = publish_sealed(draft)
    start = lot.bid_deadline - timedelta(days=2)
    for n, user in enumerate(bidders(make_person, 3)):
        filled = docx(author="招标代理", application="Microsoft Office Word", version="16.0000",
                      created="2026-10-01T08:00:00Z", body=f"投标人{n}")
        submit(lot, user, ["900000.00", "935500.00", "978300.00"][n], at=start + timedelta(hours=n),
               files=[("投标函格式.docx", template), ("投标函.docx", filled)])
    lot_open(lot, custodians)
    with after_opening(lot):
        assert flags_sweep()["flags"] == 0


@pytest.fixture
def awarded(lot_in_evaluation, evaluate, regulator):
    """Lowest evaluated price; the lowest bid (900,000) found non-compliant, the award approved to
    the next, 950,000."""
    lot, people = lot_in_evaluation(["900000.00", "950000.00", "980000.00", "990000.00"])
    lowest = Bid.objects.get(lot=lot, organisation=people[0].organisation)
    evaluate(lot, noncompliant=[lowest])
    candidates_publish(lot_id=lot.pk, actor="user:1")
    lot.refresh_from_db()
    with time_machine.travel(lot.publicity_end, tick=False):
        lot_due_sweep()
    proposal = award_propose(lot_id=lot.pk, actor="user:1")
    award_review(proposal_id=proposal.pk, user=regulator, approve=True)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.AWARDED
    return lot, people


def test_at_the_award_a_winner_who_is_not_the_lowest_under_lowest_price_is_flagged(awarded):
    lot, people = awarded
    result = flags_sweep()
    assert (result["opening"], result["award"]) == (1, 1)
    flag = Flag.objects.get(lot=lot, stage="award")
    assert flag.rule == "winner_not_lowest"
    winner, lower = flag.evidence["groups"]
    assert winner["bids"][0]["bidder"] == people[1].organisation.uscc and winner["bids"][0]["price"] == "950000.00"
    assert lower["bids"] == [{"receipt": str(Bid.objects.get(lot=lot, organisation=people[0].organisation).receipt_id),
                              "bidder": people[0].organisation.uscc, "name": people[0].organisation.name,
                              "price": "900000.00", "status": "rejected", "reasons": ["未按要求提供资格证明文件"]}]
    assert FlagCheck.objects.get(lot=lot, stage="award").flags == 1
    alerts_sweep()
    assert Alert.objects.filter(rule="red_flag", lot=lot, data__rule="winner_not_lowest").count() == 1
    assert flags_sweep() == {"opening": 0, "award": 0, "flags": 0}

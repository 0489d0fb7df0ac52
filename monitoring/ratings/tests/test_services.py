"""The services sweep reads the audit chain and makes one service for each party served: a
registration reviewed by staff, a deposit refunded, a question answered (to the asker), an opening
held (to each bidder in its record), a complaint decided (to the complainant); never twice."""
import pytest
from django.utils import timezone

from bidding.sealed.models import OpeningSession
from monitoring.models import AuditEntry
from monitoring.ratings.models import RatingCursor, Service
from monitoring.ratings.services import services_sweep
from monitoring.ratings.tests.conftest import QUESTION, published
from supervisors.complaints.services import complaint_accept, complaint_decide, complaint_file
from trading.models import Deposit, Registration
from trading.services.deposits import deposit_confirm, deposit_refunded
from trading.services.enquiries import enquiry_ask
from trading.services.registrations import registration_create, registration_decide, registration_withdraw

pytestmark = pytest.mark.django_db
Kind = Service.Kind


def services_of(kind):
    return list(Service.objects.filter(kind=kind).order_by("pk"))


def entry_of(kind, **data):
    entries = [e for e in AuditEntry.objects.filter(kind=kind).order_by("pk")
               if all(e.data.get(k) == v for k, v in data.items())]
    assert len(entries) == 1, entries
    return entries[0]


def test_a_registration_reviewed_by_staff_is_a_service_and_an_automatic_approval_is_not(
        make_lot, bidder_a, bidder_b, staff):
    land = published(make_lot("land", "listing_timed_bidding"))
    approved = registration_create(lot_id=land.pk, user=bidder_a)
    rejected = registration_create(lot_id=land.pk, user=bidder_b)
    registration_decide(registration_id=approved.pk, approve=True, reason="", actor=f"user:{staff.pk}")
    registration_decide(registration_id=rejected.pk, approve=False, reason="竞买申请材料不全。",
                        actor=f"user:{staff.pk}")
    tender = published(make_lot("construction"))
    automatic = registration_create(lot_id=tender.pk, user=bidder_a)
    assert automatic.status == Registration.Status.APPROVED

    assert services_sweep() == {"services": 2}
    reviews = services_of(Kind.REGISTRATION_REVIEW)
    assert [(s.ref, s.organisation, s.lot, s.market_id, s.rendered_by) for s in reviews] == [
        (f"registration:{approved.pk}", bidder_a.organisation, land, "land", f"user:{staff.pk}"),
        (f"registration:{rejected.pk}", bidder_b.organisation, land, "land", f"user:{staff.pk}")]
    entry = entry_of("registration.rejected")
    assert (reviews[1].entry, reviews[1].rendered_at) == (entry.pk, entry.at)
    assert not Service.objects.filter(ref=f"registration:{automatic.pk}").exists()


def test_a_deposit_refunded_is_a_service_to_its_payer(make_lot, bidder_a, staff):
    lot = published(make_lot("construction"))
    registration = registration_create(lot_id=lot.pk, user=bidder_a)
    deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference="ICBC-1", actor=f"user:{staff.pk}")
    registration_withdraw(registration_id=registration.pk, user=bidder_a)
    services_sweep()
    assert not services_of(Kind.DEPOSIT_REFUND)  # due for refund is not yet refunded

    deposit = Deposit.objects.get(registration=registration)
    deposit_refunded(deposit_id=deposit.pk, reference="ICBC-R-1", actor=f"user:{staff.pk}")
    assert services_sweep() == {"services": 1}
    (service,) = services_of(Kind.DEPOSIT_REFUND)
    assert (service.ref, service.organisation, service.lot, service.market_id, service.rendered_by) == (
        f"deposit:{deposit.pk}", bidder_a.organisation, lot, "construction", f"user:{staff.pk}")


def test_an_answered_question_is_a_service_to_the_asker_alone(answered, make_lot, bidder_a, bidder_b, staff):
    (service,) = answered(bidder_a)
    assert (service.kind, service.organisation, service.market_id, service.rendered_by) == (
        Kind.ENQUIRY_ANSWER, bidder_a.organisation, "procurement", f"user:{staff.pk}")
    assert service.ref.startswith("enquiry:")
    # An unanswered question is no service yet; nor is anything to bidder_b, who read the answer too.
    lot = service.lot
    registration_create(lot_id=lot.pk, user=bidder_b)
    enquiry_ask(lot_id=lot.pk, user=bidder_b, question=QUESTION)
    assert services_sweep() == {"services": 0}
    assert not Service.objects.filter(organisation=bidder_b.organisation).exists()


def test_an_opening_is_a_service_to_each_bidder_held_by_the_staff_who_started_it(opened_lot, staff, custodians):
    lot, bidders = opened_lot
    assert services_sweep() == {"services": 3}
    session = OpeningSession.objects.get(lot=lot)
    published_entry = entry_of("opening.record_published")
    # The custodian whose share completed the key published the record; the staff member ran the opening.
    assert published_entry.actor == f"user:{custodians[1].pk}" != f"user:{staff.pk}"
    services = services_of(Kind.OPENING)
    assert {s.organisation_id for s in services} == {b.organisation_id for b in bidders}
    assert {(s.ref, s.lot_id, s.market_id, s.rendered_by, s.rendered_at, s.entry) for s in services} == {
        (f"opening:{session.pk}", lot.pk, "construction", f"user:{staff.pk}", published_entry.at, published_entry.pk)}


def test_a_decided_complaint_is_a_service_to_the_complainant(make_lot, bidder_a, bidder_b, regulator):
    lot = published(make_lot("construction"))
    registration_create(lot_id=lot.pk, user=bidder_a)
    registration_create(lot_id=lot.pk, user=bidder_b)
    complaint = complaint_file(lot_id=lot.pk, user=bidder_a, act="招标文件设置排斥潜在投标人的资格条件",
                               grounds="第3.2条要求本市业绩，违反招标投标法第十八条。",
                               known_on=timezone.localdate())
    complaint_accept(complaint_id=complaint.pk, actor=f"user:{regulator.pk}")
    services_sweep()
    assert not services_of(Kind.COMPLAINT_HANDLING)  # accepted is not yet handled
    complaint_decide(complaint_id=complaint.pk, outcome="dismissed", reasons="经调查，资格条件符合规定。",
                     actor=f"user:{regulator.pk}")
    assert services_sweep() == {"services": 1}
    (service,) = services_of(Kind.COMPLAINT_HANDLING)
    assert (service.ref, service.organisation, service.lot, service.rendered_by) == (
        f"complaint:{complaint.pk}", bidder_a.organisation, lot, f"user:{regulator.pk}")


def test_the_sweep_is_idempotent_and_reading_the_chain_again_makes_nothing_twice(answered, opened_lot, bidder_a):
    answered(bidder_a, n=2)
    services_sweep()
    count = Service.objects.count()
    assert count == 2 + 3
    assert services_sweep() == {"services": 0}
    cursor = RatingCursor.objects.get()
    assert cursor.last_entry == AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    # A cursor restored from an old backup reads the whole chain again: the same services, once.
    RatingCursor.objects.filter(pk=RatingCursor.ROW).update(last_entry=0)
    assert services_sweep() == {"services": 0}
    assert Service.objects.count() == count


def test_the_sweep_reads_a_long_chain_in_batches(answered, bidder_a, monkeypatch):
    from monitoring.ratings import services

    monkeypatch.setattr(services, "BATCH", 3)
    monkeypatch.setattr(services, "BATCHES", 1000)
    answered(bidder_a, n=4)  # sweeps once itself, in batches of three entries
    assert Service.objects.filter(kind=Kind.ENQUIRY_ANSWER).count() == 4
    assert RatingCursor.objects.get().last_entry == AuditEntry.objects.order_by("-pk").first().pk

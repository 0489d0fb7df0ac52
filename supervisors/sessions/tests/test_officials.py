"""Officials at major sessions: a major lot's opening and evaluation are refused, and its live auction
held at its start, until a regulator has checked in to the session; then it starts and its start
event names them; a lot under the threshold starts without."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.errors import BiddingError
from bidding.evaluation.services.evaluation import evaluation_create
from bidding.sales.models import Auction
from bidding.sales.services.auctions import auction_create, auction_due_sweep
from bidding.sealed.services import opening
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.opening import opening_start
from monitoring.models import AuditEntry
from supervisors.sessions.models import OfficialCheckIn
from supervisors.sessions.selectors import lot_is_major
from supervisors.sessions.services import official_check_in
from supervisors.sessions.tests.conftest import close_bidding
from trading import clock
from trading.errors import PlatformError
from trading.models import Lot, User
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db
MAJOR = "60000000.00"  # 6000 万元: construction's threshold is 5000 万元


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return [bidder_a, bidder_b, make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")]


def closed_with_bids(lot, bidders) -> Lot:
    """Three sealed bids in, bidding closed: the opening may start."""
    key = public_key_load(bytes(lot.opening_key.public_key_raw))
    for n, user in enumerate(bidders):
        registration_create(lot_id=lot.pk, user=user)
        out, proposal = io.BytesIO(), b"proposal " * 100
        seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc,
             price_form={"price": f"{5_000_000 + n}.00", "period_days": 365, "items": {}},
             files=[("proposal.pdf", io.BytesIO(proposal), len(proposal))], out=out)
        data = out.getvalue()
        bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(data), length=len(data))
    return close_bidding(lot)


def test_a_major_opening_waits_for_an_official_then_names_them(make_lot, publish_sealed, bidders, regulator, staff):
    lot = closed_with_bids(publish_sealed(make_lot("construction", estimate=MAJOR, deposit=Decimal("0"))), bidders)
    assert lot_is_major(lot=lot)

    with pytest.raises(BiddingError) as caught:
        opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
    assert (caught.value.code, caught.value.status) == ("official_absent", 409)
    assert "5000" in str(caught.value.message)
    lot.refresh_from_db()
    assert lot.status == Lot.Status.CLOSED

    check_in = official_check_in(lot_id=lot.pk, session_kind="opening", user=regulator)
    [event] = AuditEntry.objects.filter(subject=f"lot:{lot.pk}", kind="supervision.official_checked_in")
    assert event.data == {"check_in": check_in.pk, "session": "opening", "official": str(regulator)}

    session = opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")

    assert session is not None
    started = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="lot.status_changed", data__to="opening")
    assert started.data["officials"] == [{"id": regulator.pk, "name": str(regulator)}]
    assert started.data["major"] is True and started.data["sealed_bids"] == 3


def test_a_lot_under_the_threshold_opens_without_an_official(make_lot, publish_sealed, bidders, staff):
    lot = closed_with_bids(publish_sealed(make_lot("construction", estimate="49999999.99", deposit=Decimal("0"))),
                           bidders)
    assert not lot_is_major(lot=lot)
    assert opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}") is not None
    started = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="lot.status_changed", data__to="opening")
    assert "officials" not in started.data


def test_only_a_regulator_checks_in_once(live_lot, regulator, staff, supervisor, bidder_a):
    for person in (staff, supervisor, bidder_a):
        with pytest.raises(PlatformError) as caught:
            official_check_in(lot_id=live_lot.pk, session_kind="opening", user=person)
        assert (caught.value.code, caught.value.status) == ("not_regulator", 403)
        assert AuditEntry.objects.filter(kind="supervision.refused", subject=f"user:{person.pk}",
                                         data__action="official_check_in").exists()
    official_check_in(lot_id=live_lot.pk, session_kind="opening", user=regulator)
    with pytest.raises(PlatformError) as caught:
        official_check_in(lot_id=live_lot.pk, session_kind="opening", user=regulator)
    assert caught.value.code == "already_checked_in"
    assert OfficialCheckIn.objects.count() == 1


def test_the_officials_api(make_lot, publish_sealed, regulator, staff):
    lot = publish_sealed(make_lot("construction", estimate=MAJOR, deposit=Decimal("0")))
    api = APIClient()
    body = api.get(f"/api/v1/lots/{lot.pk}/officials/").json()
    assert (body["major"], body["threshold"], body["check_ins"]) == (True, "50000000.00", [])

    api.force_authenticate(User.objects.get(pk=staff.pk))
    response = api.post(f"/api/v1/lots/{lot.pk}/officials/", {"session": "opening"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_regulator")
    api.force_authenticate(User.objects.get(pk=regulator.pk))
    response = api.post(f"/api/v1/lots/{lot.pk}/officials/", {"session": "opening"}, format="json")
    assert response.status_code == 201 and response.json()["official"] == str(regulator)
    assert [row["session"] for row in api.get(f"/api/v1/lots/{lot.pk}/officials/").json()["check_ins"]] == ["opening"]


def test_a_major_evaluation_waits_for_an_official_too(lot_in_evaluation, monkeypatch, regulator, staff):
    with monkeypatch.context() as patched:  # the opening's own guard is the test above's
        patched.setattr(opening, "_start_guards", [])
        lot, _bidders = lot_in_evaluation(["24000000.00", "24500000.00", "24800000.00"], estimate="25000000.00")
    assert lot_is_major(lot=lot)  # procurement's threshold is 2000 万元

    def set_up():
        return evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                 actor=f"user:{staff.pk}")

    with pytest.raises(BiddingError) as caught:
        set_up()
    assert caught.value.code == "official_absent"
    official_check_in(lot_id=lot.pk, session_kind="evaluation", user=regulator)
    evaluation = set_up()
    event = AuditEntry.objects.get(subject=f"lot:{lot.pk}", kind="evaluation.created")
    assert event.data["major"] is True and event.data["officials"] == [{"id": regulator.pk, "name": str(regulator)}]
    assert evaluation.lot_id == lot.pk


def test_a_major_auction_is_held_at_its_start_until_an_official_checks_in(make_listing_lot, bidders, regulator):
    lot = make_listing_lot(bidders, estimate="150000000.00")  # 15000 万元: land's threshold is 10000 万元
    assert lot_is_major(lot=lot)
    with time_machine.travel(lot.listing_start + timedelta(minutes=5), tick=False) as traveller:
        auction = auction_create(lot_id=lot.pk, starting_price="150000000.00", increment="1000000.00",
                                 starts_at=clock.now() + timedelta(minutes=1), free_minutes=10, actor="user:1")
        free_phase = auction.free_until - auction.starts_at
        traveller.shift(timedelta(minutes=2))
        assert auction_due_sweep() == {"moved": 0}
        assert auction_due_sweep() == {"moved": 0}  # held once, recorded once
        auction.refresh_from_db()
        assert auction.status == Auction.Status.SCHEDULED and auction.held_at is not None
        assert AuditEntry.objects.filter(kind="auction.start_held", subject=f"auction:{auction.pk}").count() == 1

        traveller.shift(timedelta(minutes=30))
        official_check_in(lot_id=lot.pk, session_kind="auction", user=regulator)
        assert auction_due_sweep() == {"moved": 1}
        auction.refresh_from_db()
        # Opened late, with the whole free phase still ahead.
        assert auction.status == Auction.Status.FREE_BIDDING
        assert auction.starts_at == clock.now() and auction.free_until - auction.starts_at == free_phase
        opened = AuditEntry.objects.get(kind="auction.opened", subject=f"auction:{auction.pk}")
        assert opened.data["officials"] == [{"id": regulator.pk, "name": str(regulator)}]

"""The bidder's workbench: its own registrations, deposits, bids with receipts, openings with a
countdown by the server's clock, and the path register → pay → seal → submit for each lot; never
another bidder's."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from monitoring.workbenches.tests.helpers import home_panel, register, seal_and_submit, section
from trading.models import Registration
from trading.workdays import CHINA

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def lot(make_lot, publish_sealed):
    """A construction tender open for bids, with a deposit of 10,000 yuan."""
    return publish_sealed(make_lot("construction", deposit=Decimal("10000.00")))


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("workbench-bidder"), **EN)
    assert response.status_code == 200
    return response.content.decode()


def test_a_bidder_sees_each_step_of_a_lot_done_and_its_receipt(client, lot, bidder_a):
    registration = register(lot, bidder_a)
    bid = seal_and_submit(lot, bidder_a)
    page = _page(client, bidder_a)

    path = section(page, "paths")
    for step in ("register", "pay", "seal", "submit"):
        assert f'data-step="{step}" data-state="done"' in path
    assert 'data-testid="next-step"' not in path
    receipt = reverse("bid-receipt", args=[lot.pk, bid.pk])
    assert f'href="{receipt}" data-testid="receipt-link"' in section(page, "bids")
    assert reverse("api-bid-receipt", args=[bid.pk]) in section(page, "bids")
    assert "python -m bidding.verify receipt" in section(page, "bids")
    assert f'data-lot="{lot.pk}" data-status="approved"' in section(page, "registrations")
    deposits = section(page, "deposits")
    assert f'data-lot="{registration.lot_id}" data-status="received"' in deposits and "CNY 10,000.00" in deposits
    assert client.get(receipt).status_code == 200  # the link answers


def test_the_path_shows_the_next_step_and_what_is_due_by_when(client, lot, bidder_a):
    register(lot, bidder_a, pay=False)
    page = _page(client, bidder_a)

    path = section(page, "paths")
    assert 'data-step="register" data-state="done"' in path
    assert 'data-step="pay" data-state="todo"' in path and 'data-step="submit" data-state="todo"' in path
    assert f'href="{reverse("registration-lot", args=[lot.pk])}" data-testid="next-step">Next: Pay the deposit' in path
    due = section(page, "due")
    assert f'data-lot="{lot.pk}" data-kind="pay"' in due and "CNY 10,000.00" in due
    assert f'by <time datetime="{lot.bid_deadline.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M:%S+0800")}">' in due
    assert lot.bid_deadline.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") in due
    panel = section(home_panel(bidder_a), "home-bidder")  # the home page says it too, with the link
    assert (f'<a href="{reverse("registration-lot", args=[lot.pk])}">Pay the deposit of CNY 10,000.00 for {lot.code}'
            in panel)


def test_a_registration_awaiting_approval_says_so(client, make_lot, publish_sealed, bidder_a):
    from trading.models import Procedure

    lot = make_lot("construction", deposit=Decimal("0"))
    Procedure.objects.filter(pk=lot.project.procedure_id).update(requires_prequalification=True)
    publish_sealed(lot)
    assert register(lot, bidder_a).status == Registration.Status.PENDING
    path = section(_page(client, bidder_a), "paths")
    assert 'data-step="register" data-state="waiting"' in path and "Awaiting the centre" in path
    assert 'data-step="pay" data-state="not_needed"' in path and "No deposit is asked" in path
    assert 'data-step="submit" data-state="waiting"' in path  # a bid waits for the approval


def test_the_opening_countdown_is_the_server_s_time_left(client, lot, bidder_a):
    register(lot, bidder_a)
    seal_and_submit(lot, bidder_a)
    at = lot.bid_deadline - timedelta(days=2, hours=3, minutes=4, seconds=5)
    with time_machine.travel(at, tick=False):
        page = _page(client, bidder_a)
    sessions = section(page, "sessions")
    assert f'data-lot="{lot.pk}" data-kind="opening"' in sessions
    seconds = 2 * 86400 + 3 * 3600 + 4 * 60 + 5
    assert f'data-countdown="{seconds}"' in sessions and "2 d 03:04:05" in sessions
    assert reverse("opening-page", args=[lot.pk]) in sessions


def test_bidder_b_never_sees_bidder_a_s_bid(client, lot, bidder_a, bidder_b):
    register(lot, bidder_a)
    bid = seal_and_submit(lot, bidder_a)
    register(lot, bidder_b)
    page = _page(client, bidder_b)

    bids = section(page, "bids")
    assert f'data-bid="{bid.pk}"' not in bids and str(bid.receipt_id) not in page
    assert 'data-step="submit" data-state="todo"' in section(page, "paths")  # B's own path, not A's
    assert f'data-lot="{lot.pk}"' not in section(page, "sessions")  # B has no bid: no opening of its own
    assert bidder_a.organisation.name not in page


def test_the_bidder_workbench_reads_a_bounded_number_of_queries(client, make_lot, publish_sealed, bidder_a,
                                                                django_assert_max_num_queries):
    for _ in range(3):
        lot = publish_sealed(make_lot("construction", deposit=Decimal("10000.00")))
        register(lot, bidder_a)
        seal_and_submit(lot, bidder_a)
    client.force_login(bidder_a)
    # Session, user, roles, organisation, unread count, then one read per list (registrations, bids,
    # auctions, notices, award notices, deals, three kinds of objection, challenges, complaints),
    # whatever the number of lots.
    with django_assert_max_num_queries(16):
        assert client.get(reverse("workbench-bidder")).status_code == 200


def test_other_roles_are_refused_and_anonymous_people_sign_in_first(client, staff):
    response = client.get(reverse("workbench-bidder"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(staff)
    assert client.get(reverse("workbench-bidder")).status_code == 403


def test_a_listing_s_path_leads_to_its_quotes(client, make_listing_lot, bidder_a):
    lot = make_listing_lot([bidder_a], deposit="200000")
    path = section(_page(client, bidder_a), "paths")
    assert 'data-step="register" data-state="done"' in path and 'data-step="pay" data-state="done"' in path
    assert (f'data-step="quote" data-state="todo"><a href="{reverse("listing-page", args=[lot.pk])}">Quote or bid'
            in path)
    assert 'data-step="seal"' not in path

"""The demo's pages: "try it" only where the demo is loaded, and its bank, which pays a demo bidder's
deposit by a signed notification through the bank service, only in the embedded mode."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bidding.demo import AUCTIONED, AWARDED, OPEN_FOR_BIDS, OPENING
from trading.models import BankNotification, Deposit, Lot, User
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db

SECRET = "demo-bank-secret-for-tests"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def embedded(settings):
    """The embedded mode's settings: its bank secret is made up (config/settings.py)."""
    settings.PLATFORM_EMBEDDED = True
    settings.PLATFORM_BANK_HMAC_SECRET = SECRET
    return settings


def test_the_try_page_answers_404_until_the_demo_is_loaded_and_where_it_is_not_to_be(client, settings):
    settings.PLATFORM_LOAD_DEMO = True
    assert client.get(reverse("demo-try")).status_code == 404
    call_command("load_demo", stdout=StringIO())
    assert client.get(reverse("demo-try")).status_code == 200
    settings.PLATFORM_LOAD_DEMO = False
    assert client.get(reverse("demo-try")).status_code == 404


def test_the_try_page_sends_a_newcomer_to_the_demo_s_moving_parts(client, demo, embedded):
    page = client.get(reverse("demo-try"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    opening = Lot.objects.get(project__code=OPENING)
    assert f'href="{reverse("opening-page", args=[opening.pk])}"' in body
    deadline = timezone.localtime(opening.bid_deadline)
    assert f"{deadline:%Y-%m-%d %H:%M}" in body and 'data-countdown="' in body
    auction = Lot.objects.get(project__code=AUCTIONED).auction
    assert f'href="{reverse("auction-page", args=[auction.pk])}"' in body
    assert f'href="{reverse("lot-result", args=[Lot.objects.get(project__code=AWARDED).pk])}"' in body
    assert f'href="{reverse("demo-bank")}"' in body and f'href="{reverse("demo-codes")}"' in body
    for username in ("demo_bidder", "demo_staff", "demo_custodian", "demo_supervisor", "demo_regulator"):
        assert f'data-username="{username}"' in body
    assert "demo-custodian-passphrase" in body and "demo-bidder-key-2026" in body
    chinese = client.get(reverse("demo-try"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and 'lang="zh-hans"' in chinese.content.decode()


def test_the_bank_answers_404_in_services_mode_and_without_the_demo(client, settings):
    settings.PLATFORM_EMBEDDED = True
    assert client.get(reverse("demo-bank")).status_code == 404  # no demo loaded
    call_command("load_demo", stdout=StringIO())
    assert client.get(reverse("demo-bank")).status_code == 200
    settings.PLATFORM_EMBEDDED = False
    assert client.get(reverse("demo-bank")).status_code == 404


def test_the_demo_bank_pays_a_registration_s_deposit_by_a_signed_notification(client, demo, embedded):
    bidder = User.objects.get(username="demo_bidder")
    lot = Lot.objects.get(project__code=OPEN_FOR_BIDS)
    registration = registration_create(lot_id=lot.pk, user=bidder)
    client.force_login(bidder)
    page = client.get(reverse("demo-bank")).content.decode()
    assert f'data-registration="{registration.pk}"' in page

    paid = client.post(reverse("demo-bank"), {"registration": registration.pk}, follow=True)
    deposit = Deposit.objects.get(registration=registration)
    assert (deposit.source, deposit.status, deposit.amount) == (Deposit.Source.BANK, Deposit.Status.RECEIVED,
                                                               lot.deposit)
    notification = BankNotification.objects.get(deposit=deposit)
    assert notification.outcome == "accepted"
    shown = paid.content.decode()
    assert 'data-testid="bank-sent"' in shown and "X-Signature: sha256=" in shown
    assert f'data-registration="{registration.pk}"' not in shown  # nothing left to pay

    # Another company's registration is not this bidder's to pay, and nothing is sent for it.
    other = registration_create(lot_id=lot.pk, user=User.objects.get(username="demo_bidder_2"))
    client.post(reverse("demo-bank"), {"registration": other.pk})
    assert not Deposit.objects.filter(registration=other).exists()
    assert BankNotification.objects.count() == 1


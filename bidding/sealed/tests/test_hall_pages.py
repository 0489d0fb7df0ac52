"""The opening hall on the lot's opening page, as the server renders it for each person, in Chinese
and in English: anyone watches the same live room read-only (no form, nothing private); a bidder
gets its own forms (with its bidder key: the key proof, the unlock and the signed confirmation;
without one: today's unsigned confirmation); staff host (pause, resume). Before the opening starts
nobody's check-in but one's own is on the page."""
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from bidding.crypto import bidder_key as crypto
from bidding.crypto.canonical import b64url_decode, b64url_encode
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal, seal_v2
from bidding.sealed.services.bidder_keys import bidder_key_challenge, bidder_key_register
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.hall import hall_check_in, window_sweep
from bidding.sealed.services.opening import opening_start, share_present
from tests.fixtures import CUSTODIAN_PASSPHRASE
from trading.services.lots import lot_due_sweep
from trading.services.registrations import registration_create

pytestmark = pytest.mark.django_db
PASSPHRASE = "我们公司的投标口令 2026"
HALL_FORMS = ("hall-check-in-form", "hall-unlock-form", "hall-confirm-form", "hall-object-form", "hall-question-form",
              "hall-pause-form", "hall-resume-form")
# Words of the page that are translated already: the language is the one asked for.
LANGUAGES = {"zh-hans": {"record": "开标记录", "passphrase": "口令", "closed": "开标结束"},
             "en": {"record": "Opening record", "passphrase": "Passphrase", "closed": "Opening closed"}}


@pytest.fixture(scope="module")
def key_file():
    return crypto.key_file_create(PASSPHRASE)


def sealed_bid(lot, user, price, *, bidder_key=None):
    """``user``'s organisation registers and submits a sealed bid: version 2 (with its own lock) when
    ``bidder_key`` (a key file) is given, registered first for the registration."""
    registration = registration_create(lot_id=lot.pk, user=user)
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": user.organisation.uscc}
    price_form = {"price": price, "period_days": 180, "items": {}}
    lot_key = public_key_load(bytes(lot.opening_key.public_key_raw))
    out = io.BytesIO()
    if bidder_key is None:
        seal(public_key=lot_key, price_form=price_form, files=[], out=out, **names)
    else:
        bidder_key_register(registration_id=registration.pk, user=user, key_file=bidder_key.text())
        seal_v2(lot_public_key=lot_key, bidder_public_key=bidder_key.encryption_public_key, price_form=price_form,
                files=[], out=out, **names)
    bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(out.getvalue()), length=len(out.getvalue()))
    return registration


def key_proof(registration, user, key_file) -> dict:
    """What a bidder's browser sends to check in: a key check answered with the unlocked key."""
    issued = bidder_key_challenge(registration_id=registration.pk, user=user).as_file()
    answer, signature = crypto.proof_answer(unlocked=crypto.key_file_unlock(key_file, PASSPHRASE),
                                            sealed=b64url_decode(issued["sealed"]), challenge_id=issued["challenge"],
                                            platform=issued["platform"], lot=issued["lot"], bidder=issued["bidder"])
    return {"challenge_id": issued["challenge"], "answer": answer, "signature": signature}


@pytest.fixture
def hall_lot(make_lot, publish_sealed, bidder_a, bidder_b, make_person, key_file):
    """A construction lot whose three bids are in, 10 minutes before its deadline (check-in is open):
    bidder_a's with its own lock (a bidder key), bidder_b's and bidder_c's with the lot's only."""
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    bidder_c = make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")
    lot.registration_a = sealed_bid(lot, bidder_a, "990000.00", bidder_key=key_file)
    sealed_bid(lot, bidder_b, "950000.00")
    sealed_bid(lot, bidder_c, "970000.00")
    lot.refresh_from_db()
    return lot


def page(client, lot, language, person=None):
    client.logout()
    if person is not None:
        client.force_login(person)
    response = client.get(reverse("opening-page", args=[lot.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def room_config(html) -> dict:
    start = html.index('<script id="room-config" type="application/json">') + len(
        '<script id="room-config" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def forms_on(html) -> set[str]:
    return {form for form in HALL_FORMS if f'id="{form}"' in html}


@pytest.mark.parametrize("language", LANGUAGES)
def test_anyone_watches_the_hall_read_only_and_learns_nobodys_check_in_before_the_start(
        client, hall_lot, bidder_a, key_file, language):
    with time_machine.travel(hall_lot.bid_deadline - timedelta(minutes=10), tick=False):
        hall_check_in(lot_id=hall_lot.pk, user=bidder_a, **key_proof(hall_lot.registration_a, bidder_a, key_file))
        html = page(client, hall_lot, language)
    assert f'<html lang="{language}"' in html
    config = room_config(html)
    assert config["role"] == "public" and config["supervisor"] is False
    assert [code for code, _ in config["hall"]["steps"]] == [
        "check_in", "started", "custodians", "decryption_window", "price_reading", "record", "confirmations", "closed"]
    assert config["hall"]["check_in_url"] == reverse("api-hall-check-in", args=[hall_lot.pk])
    assert config["hall"]["answer_url"] == "/api/v1/hall-questions/{id}/answer/"
    assert config["hall"]["check_in_from"] == (hall_lot.bid_deadline - timedelta(minutes=30)).isoformat()
    assert LANGUAGES[language]["closed"] in html and 'data-testid="hall-steps"' in html
    # Read-only: no form of the hall, no token to post with, nothing of a bidder's own.
    assert forms_on(html) == set() and "hall-bidder" not in html and "hall-host" not in html
    assert "data-csrf" not in html and "/bidder-key/" not in html
    # bidder_a checked in, but who takes part is not told before the opening starts.
    assert bidder_a.organisation.name not in html and bidder_a.organisation.uscc not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bidder_with_a_key_gets_the_key_proof_the_unlock_and_the_signed_confirmation(
        client, hall_lot, bidder_a, key_file, language):
    with time_machine.travel(hall_lot.bid_deadline - timedelta(minutes=10), tick=False):
        before = page(client, hall_lot, language, bidder_a)
        hall_check_in(lot_id=hall_lot.pk, user=bidder_a, **key_proof(hall_lot.registration_a, bidder_a, key_file))
        after = page(client, hall_lot, language, bidder_a)
    assert room_config(before)["role"] == "bidder"
    assert forms_on(before) == {"hall-check-in-form", "hall-unlock-form", "hall-confirm-form", "hall-object-form",
                                "hall-question-form"}
    assert 'id="hall-check-in-passphrase"' in before and LANGUAGES[language]["passphrase"] in before
    assert f'data-key-url="{reverse("api-bidder-key", args=[hall_lot.registration_a.pk])}"' in before
    assert f'data-bidder="{bidder_a.organisation.uscc}"' in before and 'data-locks="2"' in before
    assert 'data-signed="true"' in before and 'data-checked-in=""' in before
    # The key file is kept on the platform: no file to choose.
    assert 'id="hall-key-file"' not in before
    assert 'data-checked-in=""' not in after and "hall-host" not in after


def test_a_bidder_without_a_key_checks_in_and_confirms_unsigned(client, hall_lot, bidder_b, staff):
    html = page(client, hall_lot, "en", bidder_b)
    assert forms_on(html) == {"hall-check-in-form", "hall-confirm-form", "hall-object-form", "hall-question-form"}
    assert 'id="hall-check-in-passphrase"' not in html and "data-key-url" not in html
    assert f'action="{reverse("opening-confirm", args=[hall_lot.pk])}"' in html and 'data-signed' not in html
    assert 'data-locks="1"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_host_the_hall_and_after_it_anyone_reads_the_public_record(
        client, hall_lot, staff, custodians, language):
    html = page(client, hall_lot, language, staff)
    assert room_config(html)["role"] == "staff"
    assert forms_on(html) == {"hall-pause-form", "hall-resume-form"} and "hall-bidder" not in html
    with time_machine.travel(hall_lot.bid_deadline, tick=False):
        lot_due_sweep()
        session = opening_start(lot_id=hall_lot.pk, actor=f"user:{staff.pk}")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)
    with time_machine.travel(hall_lot.bid_deadline + timedelta(hours=1), tick=False):
        window_sweep()  # bidder_a did not unlock its bid: it counts as revoked
        public = page(client, hall_lot, language)
    assert LANGUAGES[language]["record"] in public and 'data-testid="opening-record"' in public
    assert "950,000.00" in public and forms_on(public) == set() and "data-csrf" not in public


def test_the_bid_page_seals_with_the_bidders_own_lock_once_its_key_is_registered(client, hall_lot, bidder_a,
                                                                                  bidder_b, key_file):
    """The bid page hands the sealer the registered key (envelope v2) and says so; without a key it
    seals with the lot's lock only."""
    url = reverse("bid-page", args=[hall_lot.pk])
    client.force_login(bidder_a)
    body = client.get(url).content.decode()
    assert f'data-bidder-key="{b64url_encode(key_file.encryption_public_raw)}"' in body
    assert 'data-testid="bidder-lock"' in body
    client.force_login(bidder_b)
    body = client.get(url).content.decode()
    assert "data-bidder-key" not in body and 'data-testid="bidder-lock"' not in body

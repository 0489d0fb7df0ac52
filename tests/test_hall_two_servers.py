"""Issue 21's done-when: a remote opening (不见面开标) end to end on the real PostgreSQL, Redis, S3
store and Celery worker, with two server processes. Three bidders seal v2 bids: bidder_a on the bid
page in Chromium (the first server), bidder_b and bidder_c at their terminals (``python -m
bidding.seal``, in fresh processes without Django) with the API over HTTP (the second server). All
three check in proving their keys; after the deadline the host starts the opening and two custodians
rebuild the lot's key; in the decryption window bidder_a unlocks its bid in the page and bidder_b at
its terminal, bidder_c does nothing and at the window's end its bid counts as revoked, its deposit
kept. The record is read out to an anonymous viewer's room on the second server, public fields only.
bidder_a signs the record in the page, bidder_b at its terminal; bidder_c objects and the host
answers; at the confirmation window's end the signed minutes are published, and ``python -m
bidding.verify opening`` accepts them.

Time moves as in the other tests, with time-machine, but here on every process at once
(``tests.hall_scenario``): the windows end without waiting for them, and what the servers write
falls in its real place in the opening's time."""
import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect
from time_machine import travel

from bidding.crypto import bidder_key
from bidding.crypto.canonical import b64url_decode, b64url_encode
from bidding.sealed.models import Bid, BidOpening, OpeningSession
from bidding.sealed.services.bidder_keys import bidder_key_register
from bidding.sealed.services.opening import opening_answer, opening_start, share_present
from bidding.tests.test_cli import no_django, run  # noqa: F401 (no_django is a fixture)
from config.celery import run_sweep
from monitoring.models import AuditEntry
from tests.browsing import browser_thread, sign_in
from tests.fixtures import CUSTODIAN_PASSPHRASE, PASSWORD
from tests.hall_scenario import SharedClock, clocked_servers
from tests.roomclient import RoomClient
from trading import clock as platform_clock
from trading.models import Deposit, Lot, Registration
from trading.services.deposits import deposit_confirm
from trading.services.registrations import registration_create

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.timeout(600),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSPHRASE = "我们公司的投标口令 2026"
PRICES = {"bidder_a": "990000.00", "bidder_b": "950000.00", "bidder_c": "970000.00"}
DEPOSIT = Decimal("10000.00")
# The bid deadline's distance from the test's start: the bids are in long before it, and check-in
# (from 30 minutes before it) is open at once.
LEAD = timedelta(minutes=20)
CRYPTO = 60_000  # ms: a passphrase unlocks a key file with 600,000 PBKDF2 rounds, in a busy browser
LIVE = 10_000  # ms: a step reaches the page (generous: a CI run shares the machine)
SWEEPS = {"due": "trading.services.lots.lot_due_sweep", "window": "bidding.sealed.services.hall.window_sweep",
          "close": "bidding.sealed.services.opening.opening_close_sweep"}


@pytest.fixture(scope="module")
def key_files():
    return {name: bidder_key.key_file_create(PASSPHRASE) for name in PRICES}


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return {"bidder_a": bidder_a, "bidder_b": bidder_b,
            "bidder_c": make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")}


@pytest.fixture
def lot(make_lot, publish_sealed, bidders, key_files):
    """A works lot with a deposit, published 25 days ago so that its bid deadline is ``LEAD`` from
    now; each bidder registered, its deposit in and its own key registered (bidder_a's page fetches
    its key file from the platform)."""
    with travel(platform_clock.now() + LEAD - timedelta(days=25), tick=False):
        lot = publish_sealed(make_lot("construction", deposit=DEPOSIT))
        for name, user in bidders.items():
            registration = registration_create(lot_id=lot.pk, user=user)
            deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"DEP-{name}",
                            actor="user:1")
            bidder_key_register(registration_id=registration.pk, user=user, key_file=key_files[name].text())
    return lot


class TerminalBidder:
    """A bidder at its own terminal: ``python -m bidding.seal`` for its envelope, its part and its
    signature, and the platform's API over HTTP with its token for the rest."""

    def __init__(self, user, *, server: str, lot: Lot, key_file, directory: Path, no_django: Path):
        self.uscc, self.lot_id = user.organisation.uscc, lot.pk
        self.registration_id = Registration.objects.get(lot=lot, organisation=user.organisation).pk
        self.server, self.key_file, self.directory, self.no_django = server, key_file, directory, no_django
        directory.mkdir()
        self.key_path = directory / "bidder-key.json"
        self.key_path.write_text(key_file.text(), encoding="utf-8")
        self.passphrase_path = directory / "passphrase.txt"
        self.passphrase_path.write_text(PASSPHRASE + "\n", encoding="utf-8")
        self.envelope = directory / "bid.pbe"
        self.http = requests.Session()
        token = self.call("POST", "auth/token/", json={"username": user.username, "password": PASSWORD})["token"]
        self.http.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, expected: int = 200, **kwargs) -> dict:
        response = self.http.request(method, f"{self.server}/api/v1/{path}", timeout=60, **kwargs)
        assert response.status_code == expected, (path, response.status_code, response.text[:500])
        return response.json()

    def terminal(self, *arguments) -> str:
        done = run(self.no_django, "-m", "bidding.seal", *map(str, arguments))
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def seal_and_submit(self, price: str) -> dict:
        opening_key = self.directory / "opening-public.pem"
        opening_key.write_text(self.call("GET", f"lots/{self.lot_id}/opening-key/")["public_key_pem"], encoding="utf-8")
        digest = self.terminal("seal", "--v2", "--bidder-key", self.key_path, "--key", opening_key,
                               "--platform", settings.PLATFORM_ID, "--lot", self.lot_id, "--bidder", self.uscc,
                               "--price", price, "--period-days", 180, "--item", "quality=合格", "-o", self.envelope)
        bid = self.call("POST", f"lots/{self.lot_id}/bids/", 201, data=self.envelope.read_bytes(),
                        headers={"Content-Type": "application/octet-stream",
                                 "X-Device-Fingerprint": hashlib.sha256(self.uscc.encode()).hexdigest()})
        assert bid["envelope_sha256"] == digest
        return bid

    def check_in(self) -> dict:
        """The key check answered with ``bidder_key.proof_answer``, sent as the check-in."""
        issued = self.call("POST", f"registrations/{self.registration_id}/bidder-key/challenges/", 201)
        answer, signature = bidder_key.proof_answer(
            unlocked=bidder_key.key_file_unlock(self.key_file, PASSPHRASE), sealed=b64url_decode(issued["sealed"]),
            challenge_id=issued["challenge"], platform=issued["platform"], lot=issued["lot"], bidder=issued["bidder"])
        return self.call("POST", f"lots/{self.lot_id}/hall/check-in/", 201,
                         json={"challenge": issued["challenge"], "answer": b64url_encode(answer),
                               "signature": b64url_encode(signature)})

    def release(self) -> dict:
        part = self.terminal("unlock", "--bidder-key", self.key_path, "--passphrase-file", self.passphrase_path,
                             self.envelope)
        return self.call("POST", f"lots/{self.lot_id}/hall/release/", 201, json={"part": part})

    def confirm(self) -> dict:
        record = self.directory / "opening-record.json"
        record.write_text(json.dumps(self.call("GET", f"lots/{self.lot_id}/opening/record/"), ensure_ascii=False),
                          encoding="utf-8")
        signature = self.terminal("confirm", "--bidder-key", self.key_path, "--bidder", self.uscc,
                                  "--passphrase-file", self.passphrase_path, record)
        return self.call("POST", f"lots/{self.lot_id}/opening/confirm/", json={"signature": signature})

    def object(self, text: str) -> dict:
        return self.call("POST", f"lots/{self.lot_id}/opening/objections/", 201, json={"text": text})


def sweep(name: str) -> dict:
    """A timed sweep run as beat has it run, by the real Celery worker (a thread of this process, so
    on the shared clock)."""
    return run_sweep.delay(SWEEPS[name]).get(timeout=120)


def download(url: str, path: Path) -> Path:
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, (url, response.status_code)
    path.write_bytes(response.content)
    return path


def keys_of(value) -> set[str]:
    """Every key of every object inside ``value``."""
    if isinstance(value, dict):
        return set(value).union(*map(keys_of, value.values()))
    if isinstance(value, list):
        return set().union(*map(keys_of, value))
    return set()


def test_three_bidders_open_their_own_bids_in_the_hall_across_two_servers_and_the_minutes_verify(
        lot, bidders, key_files, custodians, staff, celery_worker_live, time_machine, no_django, tmp_path):
    clock = SharedClock(tmp_path, time_machine)
    uscc = {name: user.organisation.uscc for name, user in bidders.items()}
    subject = f"lot:{lot.pk}"
    proposal = tmp_path / "技术方案.txt"
    proposal.write_text("施工组织设计与技术方案。\n" * 4000, encoding="utf-8")
    errors = []

    def opening_started() -> None:
        """The deadline passes; the host starts the opening; 2 of the 3 custodians rebuild the key."""
        clock.move_to(lot.bid_deadline)
        sweep("due")
        assert Lot.objects.get(pk=lot.pk).status == Lot.Status.CLOSED
        session = opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
        for custodian in custodians[:2]:
            share_present(session_id=session.pk, user=custodian, passphrase=CUSTODIAN_PASSPHRASE)

    def window_ended() -> None:
        clock.move_to(OpeningSession.objects.get(lot=lot).window_until)
        assert sweep("window") == {"closed": 1, "extended": 0}

    def confirmations_ended() -> None:
        clock.move_to(OpeningSession.objects.get(lot=lot).responses_until)
        assert sweep("close") == {"closed": 1}

    with clocked_servers(2, tmp_path, clock) as (first, second):
        viewer = RoomClient([second.url], f"/ws/rooms/opening/{lot.pk}/", "")  # anonymous
        terminals = {name: TerminalBidder(bidders[name], server=second.url, lot=lot, key_file=key_files[name],
                                          directory=tmp_path / name, no_django=no_django)
                     for name in ("bidder_b", "bidder_c")}
        opening_page = f"{first.url}/lots/{lot.pk}/opening/"

        def steps(browser, services):
            page = sign_in(browser.new_context(locale="zh-CN").new_page(), first.url, "bidder_a", PASSWORD)
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

            # 1. Sealing: bidder_a on the bid page, its own key the second lock; the others at their terminals.
            page.goto(f"{first.url}/lots/{lot.pk}/bid/")
            expect(page.locator("[data-testid=bidder-lock]")).to_be_visible()
            page.fill("#price", PRICES["bidder_a"])
            page.fill("#period_days", "180")
            page.fill("#item-quality", "合格")
            page.set_input_files("#files", str(proposal))
            page.click("[data-testid=seal-submit]")
            expect(page.locator("tr[data-status=sealed]")).to_have_count(1, timeout=CRYPTO)
            for name, terminal in terminals.items():
                terminal.seal_and_submit(PRICES[name])

            # 2. Check-in before the deadline, each proving its key: bidder_a in the page, the others by the API.
            page.goto(opening_page)
            check_in = page.locator("#hall-check-in-form")
            expect(check_in).to_have_attribute("data-ready", "true")
            page.fill("#hall-check-in-passphrase", PASSPHRASE)
            page.click("[data-testid=hall-check-in]")
            expect(check_in).to_be_hidden(timeout=CRYPTO)
            for terminal in terminals.values():
                assert terminal.check_in()["key_fingerprint"]

            # 3. The opening: the custodians' shares open the decryption window for the three own locks.
            services(opening_started)
            expect(page.locator("#hall-step")).to_have_attribute("data-step", "decryption_window", timeout=LIVE)
            expect(page.locator("#hall-progress")).to_have_attribute("data-locked", "3")

            # 4. bidder_a unlocks in the page, bidder_b at its terminal; bidder_c does nothing.
            page.fill("#hall-unlock-passphrase", PASSPHRASE)
            page.click("[data-testid=hall-unlock]")
            expect(page.locator("#hall-unlock-status")).to_have_class("ok", timeout=CRYPTO)
            terminals["bidder_b"].release()
            expect(page.locator("#hall-progress")).to_have_attribute("data-released", "2", timeout=LIVE)
            services(window_ended)
            expect(page.locator("#hall-step")).to_have_attribute("data-step", "confirmations", timeout=LIVE)
            expect(page.locator("#room-bids tr")).to_have_count(3)

            # 5. bidder_a signs the record in the page, bidder_b at its terminal; bidder_c objects, the host answers.
            page.fill("#hall-confirm-passphrase", PASSPHRASE)
            page.click("[data-testid=hall-confirm]")
            expect(page.locator("#hall-confirm-status")).to_have_class("ok", timeout=CRYPTO)
            assert terminals["bidder_b"].confirm()["kind"] == "confirm"
            objection = terminals["bidder_c"].object("我方已按时提交投标文件，请核实未解密的原因。")
            services(lambda: opening_answer(response_id=objection["id"], actor=f"user:{staff.pk}",
                                            answer="解密时间内贵方未解密投标文件，按规定视为撤销投标。"))
            services(confirmations_ended)
            expect(page.locator("#hall-step")).to_have_attribute("data-step", "closed", timeout=LIVE)

        try:
            browser_thread(steps)
            history = list(AuditEntry.objects.filter(subject=subject).order_by("subject_seq")
                           .values_list("subject_seq", "kind"))
            viewer.wait_for(lambda c: c.last == history[-1][0], timeout=60)
        finally:
            viewer.close()
        # Anyone downloads the minutes and the platform's public key.
        minutes_path = download(f"{second.url}/api/v1/lots/{lot.pk}/opening/minutes/",
                                tmp_path / f"opening-minutes-lot-{lot.pk}.json")
        key_path = download(f"{second.url}/.well-known/platform-key", tmp_path / "platform-key.pem")

    assert errors == []
    # The outcome: two bids opened, the third revoked by its bidder's own fault and its deposit kept.
    bids = {name: Bid.objects.get(lot=lot, organisation=user.organisation) for name, user in bidders.items()}
    assert {name: bid.envelope_version for name, bid in bids.items()} == dict.fromkeys(PRICES, 2)
    assert {name: bid.status for name, bid in bids.items()} == {
        "bidder_a": Bid.Status.OPENED, "bidder_b": Bid.Status.OPENED, "bidder_c": Bid.Status.DECRYPT_FAILED_REVOKED}
    assert BidOpening.objects.get(bid=bids["bidder_c"]).failure_code == "not_released"
    deposits = {name: Deposit.objects.get(registration__lot=lot, registration__organisation=user.organisation)
                for name, user in bidders.items()}
    assert [deposits[name].status for name in PRICES] == [Deposit.Status.RECEIVED, Deposit.Status.RECEIVED,
                                                          Deposit.Status.KEPT]
    assert deposits["bidder_c"].kept_reason == "opening_revoked"

    # The viewer on the second server has the lot's whole history, with no gap and never moved, and
    # heard the bids read out live: each event as the record has its entry, without the file list.
    assert [(e["seq"], e["kind"]) for e in viewer.events] == history
    assert viewer.gaps == 0 and viewer.connections == [second.url]
    session = OpeningSession.objects.get(lot=lot)
    entries = session.record["document"]["body"]["bids"]
    read_out = [e for e in viewer.events if e["kind"] == "opening.bid_opened"]
    assert [e["data"] for e in read_out] == [{k: v for k, v in entry.items() if k != "files"} for entry in entries]
    assert not {e["seq"] for e in read_out} & set(viewer.replayed)
    assert {e["data"]["bidder"]: e["data"]["status"] for e in read_out} == {
        uscc["bidder_a"]: "opened", uscc["bidder_b"]: "opened", uscc["bidder_c"]: "decrypt_failed_revoked"}
    assert {e["data"]["bidder"]: e["data"].get("price") for e in read_out} == {
        uscc["bidder_a"]: PRICES["bidder_a"], uscc["bidder_b"]: PRICES["bidder_b"], uscc["bidder_c"]: None}
    # The check-ins, all before the start, were told to nobody until the start said who is present.
    kinds = [e["kind"] for e in viewer.events]
    assert "opening.checked_in" not in kinds
    [start] = [e for e in viewer.events if e["data"].get("transition") == "start_opening"]
    assert start["data"]["present"] == [{"bidder": uscc[name], "organisation": bidders[name].organisation.name,
                                         "key_proved": True} for name in PRICES]
    # Nothing private reached the public room: no address, device or deposit of a bidder.
    private = {bid.client_ip for bid in bids.values()} | {bid.device_fingerprint for bid in bids.values()}
    private |= {deposit.reference for deposit in deposits.values()}
    assert "" not in private and None not in private
    public = json.dumps(viewer.events, ensure_ascii=False)
    assert [value for value in private if value in public] == []
    assert not keys_of([e["data"] for e in viewer.events]) & {"client_ip", "device_fingerprint"}
    assert not [kind for kind in kinds if kind.startswith(("deposit.", "bid.", "hall."))]

    # The signed minutes verify independently: two signed confirmations, one objection answered.
    verified = run(no_django, "-m", "bidding.verify", "opening", str(minutes_path), "--key", str(key_path))
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"ok opening minutes of lot {lot.code} ")
    assert ("confirmations: 2 signed (each signature verified), 0 unsigned, 0 deemed by silence; "
            "objections: 1 (1 answered); 0 pauses; 0 questions (0 answered); 3 check-ins; 2 parts released"
            in verified.stdout), verified.stdout
    body = json.loads(minutes_path.read_text(encoding="utf-8"))["document"]["body"]
    # Each signer finds its own key file's signing key on its entry: nobody confirmed in its name.
    signed = {r["bidder"]: r["signing_key"] for r in body["responses"] if r["kind"] == "confirm"}
    assert signed == {uscc[name]: b64url_encode(key_files[name].signing_public_raw)
                      for name in ("bidder_a", "bidder_b")}
    # The servers' times fall in the opening's order: check-ins before the deadline, parts inside the window.
    assert all(datetime.fromisoformat(entry["at"]) < lot.bid_deadline for entry in body["check_ins"])
    assert all(body["window_started_at"] < entry["at"] < body["window_until"] for entry in body["releases"])
    assert all(entry["at"] > body["record"]["document"]["body"]["opened_at"] for entry in body["responses"])

"""Live rooms through the real ASGI application (Channels' communicator, the Redis channel layer of
the test settings): who may enter which room, catch-up by seq, gaps the layer leaves, re-checks."""
import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from bidding.sales.services.auctions import auction_bid, auction_create, auction_due_sweep
from config.asgi import application
from monitoring import fanout
from monitoring.events import record
from monitoring.live.consumers import ACCESS_LOST
from supervisors.services import assignment_create, assignment_revoke
from trading import clock
from trading.services.registrations import registration_create

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


def cookie_of(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def enter(path: str, user=None) -> tuple[WebsocketCommunicator, bool]:
    headers = [ORIGIN]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(cookie_of)(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    return communicator, connected


async def frames_until_synced(communicator) -> list[dict]:
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=10)
        frames.append(frame)
        if frame["type"] == "synced":
            return frames


def seqs(frames: list[dict]) -> list[int]:
    return [event["seq"] for frame in frames if frame["type"] == "events" for event in frame["events"]]


async def events_until(communicator, seq: int) -> list[dict]:
    """Frames up to the one holding ``seq``."""
    frames = []
    while not frames or seq not in seqs(frames):
        frames.append(await communicator.receive_json_from(timeout=10))
    return frames


@pytest.fixture
def people(make_person, staff, regulator, supervisor, bidder_a, bidder_b):
    return {
        "staff": staff, "regulator": regulator, "supervisor_assigned": supervisor,
        "supervisor_elsewhere": make_person("supervisor_b", ["supervisor"], resident_id="110105198001010016"),
        "bidder_registered": bidder_a, "bidder_not_registered": bidder_b,
        "custodian": make_person("custodian_only", ["custodian"]),
        "expert": make_person("expert", ["expert"], resident_id="110105198001010024"),
    }


@pytest.fixture
def opened_lot(make_lot, publish_sealed, people):
    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    registration_create(lot_id=lot.pk, user=people["bidder_registered"])
    assignment_create(lot_id=lot.pk, supervisor_id=people["supervisor_assigned"].pk, actor="user:1")
    return lot


# Who may enter (docs/rooms.md): the role the welcome frame names, or None for a refused handshake.
EXPECTED = {
    # An opening is public (招标投标法 Art 35): everyone else watches it as the public, read-only.
    "opening": {"anonymous": "public", "staff": "staff", "regulator": "observer", "supervisor_assigned": "observer",
                "supervisor_elsewhere": "public", "bidder_registered": "bidder", "bidder_not_registered": "public",
                "custodian": "public", "expert": "public"},
    "dashboard": {"anonymous": None, "staff": "staff", "regulator": "observer", "supervisor_assigned": None,
                  "supervisor_elsewhere": None, "bidder_registered": None, "bidder_not_registered": None,
                  "custodian": None, "expert": None},
}


@committed
def test_every_role_in_every_room(opened_lot, people):
    paths = {"opening": f"/ws/rooms/opening/{opened_lot.pk}/", "dashboard": "/ws/rooms/dashboard/"}

    async def scenario():
        seen = {}
        for room, path in paths.items():
            for name in EXPECTED[room]:
                communicator, connected = await enter(path, people.get(name))
                if connected:
                    welcome = await communicator.receive_json_from(timeout=10)
                    seen[room, name] = welcome["role"]
                    assert welcome["subject"] == ("centre" if room == "dashboard" else f"lot:{opened_lot.pk}")
                    await communicator.disconnect()
                else:
                    seen[room, name] = None
        return seen

    seen = asyncio.run(scenario())
    assert seen == {(room, name): role for room, roles in EXPECTED.items() for name, role in roles.items()}


@committed
def test_an_unknown_lot_or_a_bad_after_is_refused(opened_lot, people):
    async def scenario():
        results = []
        for path in ("/ws/rooms/opening/999999/", f"/ws/rooms/opening/{opened_lot.pk}/?after=-1",
                     f"/ws/rooms/opening/{opened_lot.pk}/?after=x"):
            communicator, connected = await enter(path, people["staff"])
            results.append(connected)
        return results

    assert asyncio.run(scenario()) == [False, False, False]


@committed
def test_a_member_learns_only_their_own_details(opened_lot, people):
    from supervisors.services import observation_note_save

    observation_note_save(lot_id=opened_lot.pk, user=people["supervisor_assigned"], text="开标室秩序良好")

    async def welcome_of(user):
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", user)
        assert connected
        frame = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return frame["me"]

    async def scenario():
        return [await welcome_of(people[name]) for name in ("supervisor_assigned", "bidder_registered", "regulator")]

    supervisor_me, bidder_me, regulator_me = asyncio.run(scenario())
    assert supervisor_me == {"note": "开标室秩序良好"}
    assert bidder_me == {"bids": []}
    assert regulator_me == {}


@committed
def test_catch_up_after_a_seq_then_live_events_in_order(opened_lot, people):
    subject = f"lot:{opened_lot.pk}"

    def add(n):
        with transaction.atomic():
            return [record(kind="lot.noted", actor="user:1", subject=subject, data={"n": i}).subject_seq
                    for i in range(n)]

    before = add(3)

    async def scenario():
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/?after={before[0]}",
                                              people["regulator"])
        assert connected
        catch_up = await frames_until_synced(communicator)
        later = await sync_to_async(add)(4)
        live = await events_until(communicator, later[-1])
        await communicator.disconnect()
        return catch_up, later, live

    catch_up, later, live = asyncio.run(scenario())
    assert catch_up[0]["type"] == "welcome" and catch_up[0]["head"] == before[-1]
    assert seqs(catch_up) == before[1:] and all(f["replay"] for f in catch_up if f["type"] == "events")
    assert seqs(live) == later and not any(f["replay"] for f in live)


@committed
def test_an_event_the_layer_drops_is_filled_from_the_database(opened_lot, people, monkeypatch):
    subject = f"lot:{opened_lot.pk}"
    real_submit = fanout.submit

    def add(kind, *, dropped=False):
        if dropped:
            monkeypatch.setattr(fanout, "submit", lambda group, message: None)
        try:
            return record(kind=kind, actor="user:1", subject=subject).subject_seq
        finally:
            monkeypatch.setattr(fanout, "submit", real_submit)

    async def scenario():
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["staff"])
        assert connected
        head = seqs(await frames_until_synced(communicator))[-1]
        lost = await sync_to_async(add)("lot.lost_in_transit", dropped=True)
        arrived = await sync_to_async(add)("lot.arrived")
        frames = await events_until(communicator, arrived)
        await communicator.disconnect()
        return head, lost, arrived, frames

    head, lost, arrived, frames = asyncio.run(scenario())
    assert (lost, arrived) == (head + 1, head + 2)
    # The next live message shows the gap; the consumer reads from the database what follows its last
    # seq (the lost event, and the one that showed it, already committed) and drops the live copy.
    assert seqs(frames) == [lost, arrived]
    assert frames[0]["replay"] and lost in seqs(frames[:1])


@committed
def test_a_heartbeat_fills_an_event_lost_at_the_end_of_a_burst(opened_lot, people, monkeypatch):
    monkeypatch.setattr("monitoring.live.consumers.LIVE_STALL", 0.0)  # no live message for "long enough"
    monkeypatch.setattr(fanout, "submit", lambda group, message: None)  # the layer loses everything

    async def scenario():
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["staff"])
        assert connected
        head = seqs(await frames_until_synced(communicator))[-1]
        lost = (await sync_to_async(record)(kind="lot.lost_in_transit", actor="user:1",
                                            subject=f"lot:{opened_lot.pk}")).subject_seq
        await communicator.send_json_to({"type": "sync"})
        frames = await frames_until_synced(communicator)
        await communicator.disconnect()
        return head, lost, frames

    head, lost, frames = asyncio.run(scenario())
    assert lost == head + 1 and seqs(frames) == [lost] and frames[-1] == {"type": "synced", "head": lost}


@committed
def test_sync_resends_what_the_client_lost_and_a_duplicate_is_never_sent(opened_lot, people):
    subject = f"lot:{opened_lot.pk}"
    for i in range(3):
        record(kind="lot.noted", actor="user:1", subject=subject, data={"n": i})

    async def scenario():
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["regulator"])
        assert connected
        first = seqs(await frames_until_synced(communicator))
        await communicator.send_json_to({"type": "sync", "after": first[-3]})
        again = seqs(await frames_until_synced(communicator))
        await communicator.send_json_to({"type": "sync"})  # a heartbeat rewinds nothing
        nothing = seqs(await frames_until_synced(communicator))
        await communicator.disconnect()
        return first, again, nothing

    first, again, nothing = asyncio.run(scenario())
    assert first == list(range(1, len(first) + 1))
    assert again == first[-2:] and nothing == []


@committed
def test_a_revoked_supervisor_is_closed_and_a_disabled_account_on_its_next_message(opened_lot, people):
    assignment = opened_lot.supervisor_assignments.get(supervisor=people["supervisor_assigned"])

    def disable(user):
        user.is_active = False
        user.save(update_fields=["is_active"])

    async def scenario():
        supervisor, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["supervisor_assigned"])
        assert connected
        await frames_until_synced(supervisor)
        regulator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["regulator"])
        assert connected
        await frames_until_synced(regulator)

        await sync_to_async(assignment_revoke)(assignment_id=assignment.pk, actor="user:1")
        revoked = await _close_code(supervisor)
        await sync_to_async(disable)(people["regulator"])
        await regulator.send_json_to({"type": "sync", "after": 0})
        disabled = await _close_code(regulator)
        return revoked, disabled

    assert asyncio.run(scenario()) == (ACCESS_LOST, ACCESS_LOST)


@committed
def test_a_locked_account_and_a_revoked_role_close_their_rooms_at_once(opened_lot, people, make_person):
    """A lock by a security administrator ends the person's live rooms without waiting for their
    next message (docs/accounts.md), and so does taking away the role that let them in."""
    from trading.accounts.services.people import user_lock
    from trading.accounts.services.roles import role_revoke

    security = make_person("security_rooms", ["security_admin"])

    async def scenario():
        regulator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["regulator"])
        assert connected
        await frames_until_synced(regulator)
        staff, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["staff"])
        assert connected
        await frames_until_synced(staff)
        await sync_to_async(user_lock)(user=people["regulator"], by=security, reason="账号疑似被盗")
        locked = await _close_code(regulator)
        await sync_to_async(role_revoke)(user=people["staff"], role="staff", reason="调离", grantor=security)
        return locked, await _close_code(staff)

    assert asyncio.run(scenario()) == (ACCESS_LOST, ACCESS_LOST)


@committed
def test_a_session_that_gave_only_the_password_enters_no_room(opened_lot, people):
    """Pages ask the roles that need one for their second factor (trading.accounts.middleware); the
    rooms ask too, so a stolen password alone watches nothing."""
    from tests.fixtures import PASSWORD

    client = Client()
    assert client.post("/login/", {"username": "regulator", "password": PASSWORD}).status_code == 302
    half = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/rooms/opening/{opened_lot.pk}/",
                                             headers=[ORIGIN, (b"cookie", half)])
        connected, _ = await communicator.connect(timeout=10)
        full, entered = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", people["regulator"])
        await full.disconnect()
        return connected, entered

    assert asyncio.run(scenario()) == (False, True)


@committed
def test_a_bidder_whose_registration_is_withdrawn_is_closed(opened_lot, people):
    from trading.models import Registration
    from trading.services.registrations import registration_withdraw

    bidder = people["bidder_registered"]
    registration = Registration.objects.get(lot=opened_lot, organisation=bidder.organisation)

    async def scenario():
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", bidder)
        assert connected
        await frames_until_synced(communicator)
        await sync_to_async(registration_withdraw)(registration_id=registration.pk, user=bidder)
        return await _close_code(communicator)

    assert asyncio.run(scenario()) == ACCESS_LOST


async def _close_code(communicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return output["code"]


@committed
def test_observation_note_action_answers_and_observers_cannot_act(opened_lot, people):
    async def act(user, name, args):
        communicator, connected = await enter(f"/ws/rooms/opening/{opened_lot.pk}/", user)
        assert connected
        await frames_until_synced(communicator)
        await communicator.send_json_to({"type": "action", "id": "c1", "name": name, "args": args})
        reply = await communicator.receive_json_from(timeout=10)
        while reply["type"] != "reply":
            reply = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return reply

    async def scenario():
        return (await act(people["supervisor_assigned"], "note.save", {"text": "唱标清晰"}),
                await act(people["regulator"], "note.save", {"text": "not mine to keep"}),
                await act(people["supervisor_assigned"], "opening.start", {}))

    saved, refused, unknown = asyncio.run(scenario())
    assert saved["ok"] and saved["id"] == "c1"
    assert not refused["ok"] and refused["detail"]
    assert (unknown["ok"], unknown["code"]) == (False, "unknown_action")
    from supervisors.selectors import note_get

    assert note_get(lot_id=opened_lot.pk, user_id=people["supervisor_assigned"].pk).text == "唱标清晰"


@committed
def test_the_dashboard_hears_sessions_and_alerts(opened_lot, people):
    from trading.services_calendar import calendar_provisional_alert

    async def scenario():
        communicator, connected = await enter("/ws/rooms/dashboard/", people["regulator"])
        assert connected
        await frames_until_synced(communicator)
        year = (await sync_to_async(_unconfirmed_year)())
        await sync_to_async(calendar_provisional_alert)(year=year)
        frame = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return year, frame

    year, frame = asyncio.run(scenario())
    event = frame["events"][0]
    assert (event["kind"], event["data"]["alert"], event["data"]["year"]) == ("alert.raised", f"calendar:{year}", year)


def _unconfirmed_year() -> int:
    from trading import clock
    from trading.models import CalendarYear

    year = clock.now().year + 5
    CalendarYear.objects.filter(pk=year).delete()
    return year


@committed
def test_the_auction_room_admits_its_bidders_by_number_and_shows_each_accepted_bid(make_listing_lot, people,
                                                                                   make_person):
    third = make_person("bidder_c", ["bidder"], organisation="丙置业有限公司")
    lot = make_listing_lot([people["bidder_registered"], third])
    assignment_create(lot_id=lot.pk, supervisor_id=people["supervisor_assigned"].pk, actor="user:1")
    auction = auction_create(lot_id=lot.pk, starting_price="1000000.00", increment="10000.00",
                             starts_at=clock.now() - timedelta(seconds=1), free_minutes=10, actor="user:1")
    auction_due_sweep()
    path = f"/ws/rooms/auction/{auction.pk}/"

    async def scenario():
        roles = {}
        for name in ("staff", "regulator", "supervisor_assigned", "supervisor_elsewhere", "bidder_registered",
                     "bidder_not_registered", "custodian"):
            communicator, connected = await enter(path, people[name])
            if connected:
                welcome = await communicator.receive_json_from(timeout=10)
                roles[name] = (welcome["role"], welcome["me"])
                await communicator.disconnect()
            else:
                roles[name] = None
        watcher, connected = await enter(path, people["regulator"])
        head = seqs(await frames_until_synced(watcher))[-1]
        answer = await sync_to_async(auction_bid)(auction_id=auction.pk, user=third, amount="1000000.00")
        frames = await events_until(watcher, head + 1)
        await watcher.disconnect()
        return roles, answer, frames

    roles, answer, frames = asyncio.run(scenario())
    number = roles["bidder_registered"][1]["number"]
    assert roles == {"staff": ("staff", {}), "regulator": ("observer", {}), "supervisor_assigned": ("observer", {}),
                     "supervisor_elsewhere": ("public", {}), "bidder_registered": ("bidder", {"number": number}),
                     "bidder_not_registered": ("public", {}), "custodian": ("public", {})}
    event = frames[-1]["events"][-1]
    assert (event["kind"], event["data"]["amount"], event["data"]["bidder"]) == (
        "auction.bid_accepted", "1000000.00", answer.bidder_number)
    assert event["actor"] == f"bidder:{answer.bidder_number}"

"""Issue 5's done-when: two server processes share Redis; a server process is killed in the middle
of an opening; its clients reconnect to the other process and end with the full, ordered event list.
Events come from this process (the domain services), the other server and a real Celery worker."""
from decimal import Decimal

import pytest
import time_machine

from bidding.sealed.models import OpeningResponse
from bidding.sealed.services.opening import (opening_answer, opening_confirm, opening_object, opening_start,
                                             share_present)
from bidding.sealed.tests.test_opening import bid_all, close
from monitoring.live.tests.test_rooms import cookie_of
from monitoring.models import AuditEntry
from supervisors.services import assignment_create
from tests.fixtures import CUSTODIAN_PASSPHRASE
from tests.roomclient import RoomClient
from tests.servers import platform_servers

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def bidders(bidder_a, bidder_b, make_person):
    return {"bidder_a": bidder_a, "bidder_b": bidder_b,
            "bidder_c": make_person("bidder_c", ["bidder"], organisation="丙建设有限公司")}


def test_a_killed_server_loses_no_event_of_the_opening(make_lot, publish_sealed, bidders, custodians, supervisor,
                                                       regulator, staff, celery_worker_live, tmp_path):
    from config.celery import run_sweep

    lot = publish_sealed(make_lot("construction", deposit=Decimal("0")))
    assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor="user:1")
    bid_all(lot, bidders)
    close(lot)
    subject, path = f"lot:{lot.pk}", f"/ws/rooms/opening/{lot.pk}/"

    def history():
        return list(AuditEntry.objects.filter(subject=subject).order_by("subject_seq").values_list("subject_seq", "kind"))

    with platform_servers(2, tmp_path) as (first, second):
        urls = [first.url, second.url]
        # The supervisor and a bidder start on the first server, the regulator on the second.
        watchers = {
            "supervisor": RoomClient(urls, path, cookie_of(supervisor).decode()),
            "bidder": RoomClient(urls, path, cookie_of(bidders["bidder_a"]).decode()),
            "regulator": RoomClient(urls[::-1], path, cookie_of(regulator).decode()),
        }
        try:
            head = history()[-1][0]
            for client in watchers.values():
                client.wait_for(lambda c: c.last == head)
            assert [c.connections for c in watchers.values()] == [[first.url], [first.url], [second.url]]

            with time_machine.travel(lot.bid_deadline, tick=True):
                session = opening_start(lot_id=lot.pk, actor=f"user:{staff.pk}")
                share_present(session_id=session.pk, user=custodians[0], passphrase=CUSTODIAN_PASSPHRASE)
                started = history()[-1][0]
                for client in watchers.values():
                    client.wait_for(lambda c: c.last == started)

                first.kill()  # mid-opening: one share presented, the key not rebuilt
                share_present(session_id=session.pk, user=custodians[2], passphrase=CUSTODIAN_PASSPHRASE)
                opening_confirm(session_id=session.pk, user=bidders["bidder_b"])
                opening_object(session_id=session.pk, user=bidders["bidder_c"], text="报价唱错")

            # An event produced by a Celery worker: the opening closes once the response window is over.
            objection = OpeningResponse.objects.get(session=session, kind=OpeningResponse.Kind.OBJECTION)
            opening_answer(response_id=objection.pk, answer="已核对，唱标无误", actor=f"user:{staff.pk}")
            session.refresh_from_db()
            with time_machine.travel(session.responses_until, tick=True):
                assert run_sweep.delay("bidding.sealed.services.opening.opening_close_sweep").get(timeout=30) == {"closed": 1}

            full = history()
            assert [kind for _, kind in full].count("opening.bid_opened") == 3
            assert full[-1][1] == "opening.closed"
            for name, client in watchers.items():
                client.wait_for(lambda c: c.last == full[-1][0])
                assert [(e["seq"], e["kind"]) for e in client.events] == full, name
                assert client.gaps == 0, name
            # The clients of the killed server went on from the second one where they had stopped.
            assert watchers["supervisor"].connections == [first.url, second.url]
            assert watchers["bidder"].connections == [first.url, second.url]
            assert watchers["regulator"].connections == [second.url]
            # The channel layer itself lost nothing: the client that stayed connected got every event
            # after its catch-up live, none filled from the database.
            assert max(watchers["regulator"].replayed) <= head
        finally:
            for client in watchers.values():
                client.close()

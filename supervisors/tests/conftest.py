import pytest

from trading.services.lots import lot_publish, lot_submit


@pytest.fixture
def lot(make_lot):
    """A published construction lot, open for bids."""
    lot = make_lot("construction", days=25)
    lot_submit(lot_id=lot.pk, actor="user:1")
    lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor="user:1")
    lot.refresh_from_db()
    return lot


@pytest.fixture
def access_changes(monkeypatch):
    """The user ids whose open rooms were told to re-check their membership."""
    calls = []
    monkeypatch.setattr("supervisors.services.access_changed", calls.append)
    return calls

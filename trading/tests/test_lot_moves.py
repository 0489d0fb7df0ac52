import pytest

from monitoring.models import AuditEntry
from trading.errors import TradingError
from trading.models import Lot
from trading.services.moves import lot_transition


@pytest.mark.django_db
def test_an_illegal_move_is_refused_and_changes_nothing(make_lot):
    lot = make_lot("construction")
    events = AuditEntry.objects.count()
    with pytest.raises(TradingError) as caught:
        lot_transition(lot_id=lot.pk, transition="award", actor="system:test")
    assert caught.value.code == "transition_not_allowed"
    lot.refresh_from_db()
    assert lot.status == Lot.Status.DRAFT and not lot.status_changes.exists()
    assert AuditEntry.objects.count() == events
    with pytest.raises(TradingError) as caught:
        lot_transition(lot_id=lot.pk, transition="delete", actor="system:test")
    assert caught.value.code == "unknown_transition"


@pytest.mark.django_db
def test_status_cannot_be_set_by_hand(make_lot):
    lot = make_lot("construction")
    with pytest.raises(AttributeError):
        lot.status = Lot.Status.AWARDED

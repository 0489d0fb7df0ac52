import pytest

from trading.tests.builders import PUBLISHED_AT


@pytest.fixture
def clock(time_machine):
    """The clock frozen at the moment the builders' lots are published."""
    time_machine.move_to(PUBLISHED_AT, tick=False)
    return time_machine

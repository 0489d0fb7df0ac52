"""Amounts as a centre writes them in a report (亿元 from one 亿, else 万元; billions and millions in
English), rates and their changes."""
from decimal import Decimal

import pytest
from django.utils import translation

from monitoring.statistics.formats import change_text, percent, value_text
from trading.money import yi_yuan


@pytest.mark.parametrize(("value", "chinese", "english"), [
    (3_134_000_000, "31.34 亿元", "CNY 3.13 billion"),
    (426_000_000, "4.26 亿元", "CNY 426.00 million"),
    (100_000_000, "1.00 亿元", "CNY 100.00 million"),
    (99_999_999, "10,000.00 万元", "CNY 100.00 million"),
    (56_057_000, "5,605.70 万元", "CNY 56.06 million"),
    (-150_000_000, "-1.50 亿元", "-CNY 150.00 million"),
    (None, "—", "—"),
])
def test_yi_yuan(value, chinese, english):
    with translation.override("zh-hans"):
        assert yi_yuan(value) == chinese
    with translation.override("en"):
        assert yi_yuan(value) == english


def test_rates_and_changes():
    assert percent(Decimal("0.2440")) == "24.40%" and percent(None) == "—"
    assert value_text("savings_rate", Decimal("0.1313")) == "13.13%"
    assert value_text("cycle_days", Decimal("35.5")) == "35.5" and value_text("deals", 1234) == "1,234"
    with translation.override("en"):
        assert change_text("savings_rate", Decimal("0.0063")) == "+0.63 pp"
        assert change_text("deal_value", Decimal("-0.3883")) == "-38.83%"
        assert change_text("deal_value", Decimal("10")) == "+1,000.00%"
        assert change_text("deal_value", None) == "—"

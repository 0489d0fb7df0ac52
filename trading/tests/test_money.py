"""Amounts as a Chinese trading centre prints them: separators, units and capitals, in both languages."""
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from trading.money import wan_yuan, yuan, yuan_capitals


@pytest.mark.parametrize(("value", "chinese", "english"), [
    (Decimal("48600000.00"), "48,600,000.00 元", "CNY 48,600,000.00"),
    (Decimal("0"), "0.00 元", "CNY 0.00"),
    (Decimal("999.995"), "1,000.00 元", "CNY 1,000.00"),  # half up, not to even
    (Decimal("0.125"), "0.13 元", "CNY 0.13"),
    (Decimal("-1234.5"), "-1,234.50 元", "-CNY 1,234.50"),
    (Decimal("-0.001"), "0.00 元", "CNY 0.00"),
    (Decimal("9999999999999999.99"), "9,999,999,999,999,999.99 元", "CNY 9,999,999,999,999,999.99"),
    (1500, "1,500.00 元", "CNY 1,500.00"),
    ("2500000.5", "2,500,000.50 元", "CNY 2,500,000.50"),  # as event payloads carry money
])
def test_yuan(value, chinese, english):
    with translation.override("zh-hans"):
        assert yuan(value) == chinese
    with translation.override("en"):
        assert yuan(value) == english


@pytest.mark.parametrize(("value", "chinese", "english"), [
    (Decimal("48600000"), "4,860.00 万元", "CNY 48.60 million"),
    (Decimal("12345"), "1.23 万元", "CNY 0.01 million"),
    (Decimal("15000"), "1.50 万元", "CNY 0.02 million"),  # 0.015 million rounds half up
    (Decimal("-50000"), "-5.00 万元", "-CNY 0.05 million"),
    (Decimal("1200000000000"), "120,000,000.00 万元", "CNY 1,200,000.00 million"),
])
def test_wan_yuan(value, chinese, english):
    with translation.override("zh-hans"):
        assert wan_yuan(value) == chinese
    with translation.override("en"):
        assert wan_yuan(value) == english


@pytest.mark.parametrize("value", [None, "", "abc", "NaN", "Infinity", True])
def test_what_is_not_an_amount_shows_as_a_dash(value):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert yuan(value) == wan_yuan(value) == yuan_capitals(value) == "—"


def test_capitals_in_both_languages_round_half_up_and_have_none_for_negative_or_huge_amounts():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert yuan_capitals(Decimal("48600000.00")) == "人民币肆仟捌佰陆拾万元整"
            assert yuan_capitals("107000.525") == "人民币壹拾万零柒仟元零伍角叁分"
            assert yuan_capitals(Decimal("-1")) == "—"
            assert yuan_capitals(Decimal("1E16")) == "—"


def test_the_filters_in_a_template():
    template = Template("{% load money %}{{ a|yuan }} / {{ a|wan_yuan }} / {{ a|yuan_capitals }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"a": Decimal("48600000")})) == (
            "48,600,000.00 元 / 4,860.00 万元 / 人民币肆仟捌佰陆拾万元整")

"""Amounts in capitals: hand-checked cases (the PBOC rule's own examples among them), refusals, and a
reading-back check over many amounts rich in zeros."""
import random
from decimal import Decimal

import pytest

from trading.numerals import amount_in_capitals

CASES = [
    ("0", "人民币零元整"),
    ("0.00", "人民币零元整"),
    ("10", "人民币壹拾元整"),
    ("11", "人民币壹拾壹元整"),
    ("100", "人民币壹佰元整"),
    ("110", "人民币壹佰壹拾元整"),
    ("1001", "人民币壹仟零壹元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("10010", "人民币壹万零壹拾元整"),
    ("100000", "人民币壹拾万元整"),
    ("1000000", "人民币壹佰万元整"),
    ("1000001", "人民币壹佰万零壹元整"),
    ("10000000", "人民币壹仟万元整"),
    ("10001000", "人民币壹仟万零壹仟元整"),
    ("100000000", "人民币壹亿元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("101000000", "人民币壹亿零壹佰万元整"),
    ("120000001", "人民币壹亿贰仟万零壹元整"),
    ("10000000001", "人民币壹佰亿零壹元整"),
    ("200000000.00", "人民币贰亿元整"),
    ("200000000000", "人民币贰仟亿元整"),
    ("1000000000000", "人民币壹万亿元整"),
    ("1000000000000.01", "人民币壹万亿元零壹分"),
    ("1050000000000", "人民币壹万零伍佰亿元整"),
    ("1200000000000", "人民币壹万贰仟亿元整"),
    ("1000050000000", "人民币壹万亿零伍仟万元整"),
    ("10000000000000", "人民币壹拾万亿元整"),
    ("1000000000000000", "人民币壹仟万亿元整"),
    ("9999999999999999.99", "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("0.5", "人民币伍角整"),
    ("0.05", "人民币伍分"),
    ("0.55", "人民币伍角伍分"),
    ("1.50", "人民币壹元伍角整"),
    ("1.05", "人民币壹元零伍分"),
    ("10.50", "人民币壹拾元零伍角整"),
    ("10.05", "人民币壹拾元零伍分"),
    ("100.05", "人民币壹佰元零伍分"),
    ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
    # The examples of 《正确填写票据和结算凭证的基本规定》; where it allows leaving a 零 out we keep it,
    # and we write 整 after 角.
    ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万零柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    # Other spellings of the same value.
    ("1.230", "人民币壹元贰角叁分"),
    ("1E+3", "人民币壹仟元整"),
    ("-0.00", "人民币零元整"),
]


@pytest.mark.parametrize(("amount", "capitals"), CASES)
def test_hand_checked_amounts(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


@pytest.mark.parametrize(
    "amount", ["-0.01", "-100", "1.005", "0.001", "10000000000000000", "1E+16", "NaN", "Infinity"]
)
def test_amounts_without_capitals_are_refused(amount):
    with pytest.raises(ValueError):
        amount_in_capitals(Decimal(amount))


@pytest.mark.parametrize("amount", [1.5, 10, "10"])
def test_only_decimals_are_taken(amount):
    with pytest.raises(TypeError):
        amount_in_capitals(amount)


DIGIT_VALUES = {ch: value for value, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
PLACE_VALUES = {"拾": 10, "佰": 100, "仟": 1000}


def read_back(capitals: str) -> Decimal:
    """The value of capitals, read the way a person reads them (written apart from the module)."""
    assert capitals.startswith("人民币")
    text = capitals.removeprefix("人民币").removesuffix("整")
    yi = wan = section = digit = 0
    cents = 0
    for ch in text:
        if ch in DIGIT_VALUES:
            digit = DIGIT_VALUES[ch]
        elif ch in PLACE_VALUES:
            section, digit = section + digit * PLACE_VALUES[ch], 0
        elif ch == "万":
            wan, section, digit = section + digit, 0, 0
        elif ch == "亿":
            yi, wan, section, digit = wan * 10**4 + section + digit, 0, 0, 0
        elif ch == "元":
            cents, yi, wan, section, digit = (yi * 10**8 + wan * 10**4 + section + digit) * 100, 0, 0, 0, 0
        elif ch == "角":
            cents, digit = cents + digit * 10, 0
        elif ch == "分":
            cents, digit = cents + digit, 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {capitals}")
    return Decimal(cents) / 100


def test_many_amounts_read_back_to_their_value_and_keep_the_zero_rules():
    rng = random.Random(20261130)
    for _ in range(5000):
        length = rng.randint(1, 16)
        figures = "".join("0" if rng.random() < 0.6 else str(rng.randint(1, 9)) for _ in range(length + 2))
        amount = Decimal(f"{int(figures[:-2])}.{figures[-2:]}")
        capitals = amount_in_capitals(amount)
        assert read_back(capitals) == amount, capitals
        assert "零零" not in capitals, capitals
        for word in "元万亿角整":
            assert f"零{word}" not in capitals or capitals == "人民币零元整", capitals
        assert capitals.endswith(("整", "分")), capitals
        assert capitals.endswith("分") == (figures[-1] != "0"), capitals

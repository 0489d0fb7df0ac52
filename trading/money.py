"""Amounts of money as a Chinese trading centre prints them, in the reader's language.

- ``yuan``: the exact amount with thousands separators and two decimals. Chinese: ``48,600,000.00 元``;
  English: ``CNY 48,600,000.00``, the ISO 4217 code before the figure as the English pages of the
  centres and the banks' statements write it (``¥`` is also the yen's sign, and ``RMB`` names the
  currency, not its unit).
- ``wan_yuan``: a large sum at a glance. Chinese: ``4,860.00 万元`` (to the hundred yuan, as
  announcements state estimates); English readers have no ten-thousand unit, so ``CNY 48.60 million``
  (to the ten thousand yuan).
- ``yi_yuan``: a total as a yearly report states it: ``31.34 亿元`` from one 亿 (10⁸ yuan) up, else as
  ``wan_yuan``; English from a billion: ``CNY 3.13 billion``, else ``CNY 426.00 million``.
- ``yuan_capitals``: the amount in capital numerals (人民币肆仟捌佰陆拾万元整), which documents print
  beside the figures; the same in both languages, as it is a legal text.

Display rounds half up (四舍五入), the rule of Chinese bookkeeping. Figures may come as ``Decimal``,
``int`` or text (amounts in event payloads are strings); ``None`` and anything that is not a number
shows as a dash rather than as an error in the page.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language

from trading.numerals import amount_in_capitals

MISSING = "—"
CENT = Decimal("0.01")
WAN = Decimal(10_000)
MILLION = Decimal(1_000_000)
YI = Decimal(100_000_000)
BILLION = Decimal(1_000_000_000)


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _grouped(number: Decimal) -> str:
    """``number`` to the cent with comma thousands separators; the sign in front, none on a zero."""
    cents = number.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{abs(cents) if cents == 0 else cents:,.2f}"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def yuan_pattern() -> str:
    """How the reader's language writes an amount of yuan, ``%(amount)s`` standing for the figure;
    for the pages' scripts, which format live amounts the same way."""
    return "CNY %(amount)s" if _english() else "%(amount)s 元"


def _signed(figure: str, pattern: str) -> str:
    """The sign leads the whole amount, "-1,234.50 元" and "-CNY 1,234.50", as in "-$1.00"."""
    sign, figure = ("-", figure[1:]) if figure.startswith("-") else ("", figure)
    return sign + pattern % {"amount": figure}


def yuan(value) -> str:
    """``48600000`` → ``48,600,000.00 元`` / ``CNY 48,600,000.00``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    return _signed(_grouped(number), yuan_pattern())


def wan_yuan(value) -> str:
    """``48600000`` → ``4,860.00 万元`` / ``CNY 48.60 million``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    if _english():
        return _signed(_grouped(number / MILLION), "CNY %(amount)s million")
    return _signed(_grouped(number / WAN), "%(amount)s 万元")


def yi_yuan(value) -> str:
    """``3134000000`` → ``31.34 亿元`` / ``CNY 3.13 billion``; ``426000000`` → ``4.26 亿元`` / ``CNY 426.00
    million``; under 亿 (under a billion in English) as ``wan_yuan``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    if _english():
        if abs(number) >= BILLION:
            return _signed(_grouped(number / BILLION), "CNY %(amount)s billion")
    elif abs(number) >= YI:
        return _signed(_grouped(number / YI), "%(amount)s 亿元")
    return wan_yuan(number)


def yuan_capitals(value) -> str:
    """``48600000`` → ``人民币肆仟捌佰陆拾万元整``; a dash for what has no capitals (negative, missing)."""
    number = _decimal(value)
    if number is None:
        return MISSING
    try:
        return amount_in_capitals(number.quantize(CENT, rounding=ROUND_HALF_UP))
    except ValueError:
        return MISSING

"""The figures as people read them, in the reader's language: counts with separators, amounts as a
centre writes them (``trading.money.yi_yuan``: 亿元 from one 亿, else 万元; billions and millions in
English), rates and changes as percentages, a rate's change in percentage points."""
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from monitoring.statistics.figures import AMOUNT, AVERAGE, COUNT, DAYS, FIGURE_KEYS, RATE
from trading.money import MISSING, yi_yuan

HUNDREDTH = Decimal("0.01")


def percent(fraction) -> str:
    """``Decimal("0.2440")`` → ``24.40%``."""
    if fraction is None:
        return MISSING
    return f"{(Decimal(fraction) * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP):,.2f}%"


def value_text(key: str, value) -> str:
    """Figure ``key``'s ``value`` as a page or a report prints it."""
    if value is None:
        return MISSING
    kind = FIGURE_KEYS[key].kind
    if kind == COUNT:
        return f"{value:,}"
    if kind == AMOUNT:
        return yi_yuan(value)
    if kind == RATE:
        return percent(value)
    if kind == AVERAGE:
        return f"{Decimal(value):,.2f}"
    if kind == DAYS:
        return f"{Decimal(value):,.1f}"
    return str(value)


def change_text(key: str, change) -> str:
    """The year-on-year change as a table shows it: ``+80.00%``, ``-3.10%``; a rate's in points,
    ``+1.20 pp`` (``+1.20个百分点``); a dash where there is nothing to compare."""
    if change is None:
        return MISSING
    points = (Decimal(change) * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    sign = "+" if points > 0 else ""
    if FIGURE_KEYS[key].kind == RATE:
        return _("%(sign)s%(points)s pp") % {"sign": sign, "points": f"{points:,.2f}"}
    return f"{sign}{points:,.2f}%"


def change_direction(change) -> str:
    """``up``, ``down`` or ``level``; empty where there is nothing to compare (for styling)."""
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "level"


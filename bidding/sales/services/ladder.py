"""Prices on a ladder (listing quotes, English auction bids): how an amount is read, and the rule
every ladder shares, as SQL: the new amount is the starting price or more by whole increments when
nothing is in yet, else above the current price by whole increments. Compared in cents so that
SQLite's floats agree with PostgreSQL's numerics; the statement that uses it binds ``%(cents)s``."""
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from bidding.errors import BiddingError

WHOLE_INCREMENTS_ABOVE = """CASE WHEN current_price IS NULL
         THEN %(cents)s >= CAST(ROUND(starting_price * 100) AS BIGINT)
              AND MOD(%(cents)s - CAST(ROUND(starting_price * 100) AS BIGINT),
                      CAST(ROUND(increment * 100) AS BIGINT)) = 0
         ELSE %(cents)s > CAST(ROUND(current_price * 100) AS BIGINT)
              AND MOD(%(cents)s - CAST(ROUND(current_price * 100) AS BIGINT),
                      CAST(ROUND(increment * 100) AS BIGINT)) = 0 END"""


def money(value, field: str) -> Decimal:
    """A positive amount of yuan with at most 2 decimals, or a refusal naming ``field``."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise BiddingError("not_an_amount", _("%(field)s is not an amount of money.") % {"field": field}) from None
    if amount <= 0 or amount != Decimal(str(value)):
        raise BiddingError("not_an_amount", _("%(field)s must be positive, in yuan with at most 2 decimals.")
                           % {"field": field})
    return amount

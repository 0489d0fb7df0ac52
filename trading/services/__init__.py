"""Every write of the trading app, by topic: ``parties`` (organisations, accounts, sign-in),
``lots`` (projects, lots, schedule, moves, the timed sweep), ``announcements``."""
from trading.services.parties import (
    login_check,
    organisation_create,
    user_create,
)

__all__ = ["login_check", "organisation_create", "user_create"]

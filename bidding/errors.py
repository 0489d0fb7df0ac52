from trading.errors import PlatformError


class BiddingError(PlatformError):
    """A sealed-bid step refused: a stable ``code`` and a translated message."""

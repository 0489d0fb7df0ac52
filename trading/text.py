"""Free text people write to the platform (questions, objections, replies): trimmed, required,
bounded. Every app's services clean it here, so the limit and the messages are one."""
from django.utils.translation import gettext_lazy as _

from trading.errors import PlatformError, TradingError

TEXT_MAX = 5000


def text_clean(text, *, code: str, message, error: type[PlatformError] = TradingError) -> str:
    """``text`` trimmed; refused with ``<code>_required`` (``message``) when empty and
    ``<code>_too_long`` beyond ``TEXT_MAX`` characters, as ``error`` (the caller's error family)."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise error(f"{code}_required", message)
    if len(text) > TEXT_MAX:
        raise error(f"{code}_too_long", _("At most %(n)s characters, please.") % {"n": TEXT_MAX})
    return text

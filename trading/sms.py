"""Text messages: ``send_sms(to, text)`` through the backend ``settings.PLATFORM_SMS_BACKEND`` names.

A backend is a class with ``send(to, text)`` that raises when the message did not go; the delivery
that called it stays pending and is retried. The platform ships two, as Django does for mail: one
writing each message as a file under ``settings.PLATFORM_SMS_FILE_PATH`` (the embedded demo's
phone, and what the tests read) and one printing to the console. A real gateway is a class of
the same shape named by the setting.
"""
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from trading import clock


class FileBackend:
    """One UTF-8 file per message, named by the time and a random part so none overwrites another."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or settings.PLATFORM_SMS_FILE_PATH)

    def send(self, to: str, text: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{clock.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.txt"
        (self.path / name).write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")


class ConsoleBackend:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to: str, text: str) -> None:
        self.stream.write(f"SMS to {to}: {text}\n")
        self.stream.flush()


def send_sms(to: str, text: str) -> None:
    """Send one message now; whatever the backend raises is the caller's to keep and retry."""
    import_string(settings.PLATFORM_SMS_BACKEND)().send(to, text)

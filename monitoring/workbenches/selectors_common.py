"""What every workbench's reads share: a countdown to a moment given by the server's clock, a queue
of work with its size and first items, and reading a one-to-one relation that may be missing."""
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

# How many items of a queue a workbench lists; the rest are on the page that does the work.
FIRST = 5


@dataclass(frozen=True)
class Countdown:
    """The time left to ``at``, in whole seconds by the server's clock when the page was made; the
    page counts down from it with the browser's monotonic clock, never its wall clock."""
    at: datetime
    seconds: int

    @classmethod
    def to(cls, at: datetime, *, now: datetime) -> "Countdown":
        return cls(at=at, seconds=max(0, int((at - now).total_seconds())))


@dataclass
class Queue:
    """Work waiting somewhere: how much, the first few items, and the page where it is done."""
    count: int
    items: list = field(default_factory=list)
    url: str = ""


def queue_of(queryset: QuerySet, *, url: str, first: int = FIRST) -> Queue:
    """The queue of ``queryset``: its first items and, only when there are more, its count (so a short
    queue costs one query)."""
    items = list(queryset[:first + 1])
    count = len(items) if len(items) <= first else queryset.count()
    return Queue(count=count, items=items[:first], url=url)


def related_or_none(instance, name: str):
    """``instance.<name>`` for a reverse one-to-one that may not exist (None then), as loaded by
    select_related without another query."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None

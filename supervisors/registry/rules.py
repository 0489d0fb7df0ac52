"""The registry's rules as plain values and pure functions: which sessions a procedure has, when two
sessions overlap, the certificate number's form, the draw's order (so anyone can redo a published
draw), and the duties and integrity pledge a supervisor accepts."""
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from bidding.evaluation.rules import draw_order
from supervisors.registry.models import SessionKind

# A tender has an opening and an evaluation; a listing sells at a live auction.
SESSIONS_OF_PROCEDURE = {
    "tender": (SessionKind.OPENING, SessionKind.EVALUATION),
    "listing": (SessionKind.AUCTION,),
}

# Two lots' sessions of one kind overlap when their bid deadlines (listing ends) lie within this of
# each other: the opening follows the deadline at once, and an opening, an evaluation's first sitting
# or an auction runs for a few hours. A supervisor seated on one is not drawn for the other.
OVERLAP = timedelta(hours=4)

# Grounds that tell whose employee (or relation) someone is: the lot's public record shows them only
# as "conflict".
PARTY_GROUNDS = {"employer_tenderee", "employer_bidder", "declared_relation"}

CERTIFICATE_PREFIX = "SJ"  # 社监
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

DUTIES = (
    _("Watch the sessions you are drawn for in their live room, from the start to the end."),
    _("File your observation report within the time limit after each session."),
    _("Ask the centre's liaison, object or request a stop on the record whenever you see a rule broken."),
    _("Keep what you learn of bids, bidders and experts confidential until it is published."),
)
PLEDGE = (
    _("I will apply to recuse myself whenever I, my employer or a relative has an interest in a lot."),
    _("I will accept no gift, money, meal or favour from any party to a lot."),
    _("I will not contact bidders, experts or the tenderee about a lot outside the platform."),
    _("I accept a warning, suspension or dismissal if I break these duties or this pledge."),
)
PLEDGE_VERSION = "2026-1"


def session_time(lot) -> datetime | None:
    """When a lot's sessions begin, for the overlap test: its bid deadline, or a listing's end."""
    return lot.bid_deadline or lot.listing_end


def sessions_overlap(first: datetime | None, second: datetime | None) -> bool:
    return first is not None and second is not None and abs(first - second) < OVERLAP


def certificate_number(*, year: int, sequence: int) -> str:
    """SJ-<year>-<4-digit sequence of the year>, e.g. SJ-2026-0001."""
    return f"{CERTIFICATE_PREFIX}-{year}-{sequence:04d}"


def draw_redo(*, seed: str, session_kind: str, pool: list[int]) -> list[int]:
    """The eligible pool (supervisor registry ids, in any order) in the order the draw with this seed
    takes it: ascending HMAC-SHA256(key = the seed's 32 bytes, message = "<session kind>:<id>").
    The first N are the drawn supervisors (docs/supervision.md, "The draw")."""
    return draw_order(seed=bytes.fromhex(seed), specialty=session_kind, expert_ids=sorted(pool))


def public_grounds(grounds: list[str]) -> list[str]:
    """Grounds as the lot's public record shows them: a party's employee only as ``conflict``."""
    shown = [ground for ground in grounds if ground not in PARTY_GROUNDS]
    return shown + ["conflict"] if len(shown) < len(grounds) else shown

"""The rules of a supervisor's rights in a session, as data: when each kind of session is live, the
observation report's checklist per kind, and the limits of what people type.

The time limits (the answer to a stop request, the report's due date) and the major-session
threshold are the market's, in the rule table (``RuleCode.STOP_REQUEST_ANSWER``,
``OBSERVATION_REPORT``, ``MAJOR_SESSION``); this module says how they are read."""
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from supervisors.registry.models import SessionKind
from trading.models import Lot

# The lot's statuses in which each kind of session is under way, so that a stop request or an
# objection is "during the session". An opening's room is live from the deadline (bidding closed,
# the opening not yet started: a stop request may ask that it does not start) to its close.
LIVE_STATUSES = {
    SessionKind.OPENING: frozenset({Lot.Status.CLOSED, Lot.Status.OPENING}),
    SessionKind.EVALUATION: frozenset({Lot.Status.EVALUATION}),
    SessionKind.AUCTION: frozenset({Lot.Status.AUCTION}),
}

# The observation report's checklist per kind of session: (code, what the supervisor confirms).
CHECKLISTS = {
    SessionKind.OPENING: (
        ("identity_checked", _("The identities of the people running the opening were checked.")),
        ("deadline_respected", _("The bid deadline was respected: nothing was taken after it.")),
        ("envelopes_verified", _("Every envelope was checked against its receipt before it was opened.")),
        ("shares_by_custodians", _("The key shares were presented by the custodians themselves.")),
        ("record_published", _("The opening record was published in full.")),
        ("no_outside_contact", _("Nobody running the opening had contact with bidders outside the procedure.")),
    ),
    SessionKind.EVALUATION: (
        ("identity_checked", _("The experts' identities were checked against the draw.")),
        ("recusals_handled", _("Experts with a conflict of interest recused themselves.")),
        ("criteria_followed", _("The experts scored by the published criteria only.")),
        ("independent_scoring", _("Each expert scored independently, without being steered.")),
        ("no_outside_contact", _("No expert had contact with bidders or outsiders during the evaluation.")),
        ("report_signed", _("The evaluation report was signed by every expert.")),
    ),
    SessionKind.AUCTION: (
        ("identity_checked", _("The bidders' eligibility and deposits were checked before the auction.")),
        ("rules_announced", _("The auction's rules, increment and countdown were announced beforehand.")),
        ("bids_in_order", _("Every bid was accepted or refused by the rules, in the order received.")),
        ("reserve_kept_sealed", _("The reserve stayed sealed until the auction ended.")),
        ("no_outside_contact", _("No collusion or outside contact among the bidders was seen.")),
        ("result_announced", _("The result was announced at once.")),
    ),
}

# How each checklist item is answered; every item must be.
ANSWERS = (("yes", _("Yes")), ("no", _("No")), ("na", _("Not applicable")))
ANSWER_CODES = frozenset(code for code, _label in ANSWERS)

TEXT_MAX = 5000
REPORT_TEXT_MAX = 20_000
RATINGS = range(1, 6)
ATTACHMENTS_MAX = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_NAME_MAX = 120
# What an attachment may be, by its first bytes: PDF, JPEG, PNG (photographs and scans of the room).
ATTACHMENT_TYPES = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
                    (b"\x89PNG\r\n\x1a\n", "image/png", "png"))

# The signed report's kind (bidding.crypto.receipts.signed_document), checked by supervisors.verify.
REPORT_KIND = "observation-report"

WAN = Decimal(10_000)


def checklist_items(session_kind: str) -> tuple[tuple[str, object], ...]:
    return CHECKLISTS[SessionKind(session_kind)]


def major_threshold_yuan(amount_wan: int) -> Decimal:
    """The MAJOR_SESSION rule's amount (万元) in yuan, to compare with a lot's estimate."""
    return Decimal(amount_wan) * WAN

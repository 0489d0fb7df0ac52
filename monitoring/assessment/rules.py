"""The staff assessment's formulas (docs/assessment.md): how each computed indicator turns the
platform's figures into a value from 0 to 100, and how the result is made. No I/O here: the figures
come from ``monitoring.assessment.selectors_figures``.

The computed indicators follow a deduction scheme (扣分制), as electronic supervision's yellow and
red cards do in the centres' own performance rules: a person starts from full marks and loses
points for what went wrong. So a period with nothing to measure (no time-limited step handled, no
service counted) keeps full marks; the breakdown shows the zero counts beside it."""
from decimal import ROUND_HALF_UP, Decimal

FULL = Decimal(100)
CENT = Decimal("0.01")
WEIGHT_TOTAL = Decimal(100)

# Points a red or yellow alert on one of the person's lots costs, and an upheld complaint.
RED_ALERT_POINTS = Decimal(10)
YELLOW_ALERT_POINTS = Decimal(2)
UPHELD_COMPLAINT_POINTS = Decimal(20)

# The supervision rules whose alerts count against the people who handle a lot: the centre's own
# steps and its conduct of sessions. Left out, each for a reason: the regulator's steps
# (complaint_acceptance, complaint_decision, award_review), the parties' (contract_signing), the
# social supervisors' (observation_report), the bidders' conduct (red_flag) and refusals of a
# person's own attempt, which name that person rather than the lot's staff (sealed_access_refused,
# custodian_passphrase_failed, role_refused, award_review_refused, auction_start_held), and an
# unanswered bad rating (the centre's answer, whoever gives it; the rating counts in satisfaction).
COUNTED_ALERT_RULES = frozenset({
    "announcement_review", "enquiry_answer", "documents_objection_reply", "candidates_objection_reply",
    "challenge_reply", "opening_start", "evaluation_duration", "candidates_publicity_start", "publicity_end",
    "award_notice", "deposit_refund", "stop_request_answer", "inquiry_answer", "opening_late",
    "stop_request_raised",
})

# A veto entry's value: met (the result fails) or not.
VETO_MET, VETO_NOT_MET = Decimal(1), Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def on_time_value(*, steps: int, on_time: int) -> Decimal:
    """100 × steps done before their limit ÷ steps done; 100 with none."""
    return cents(FULL * on_time / steps) if steps else FULL


def alerts_value(*, red: int, yellow: int) -> Decimal:
    """100 less 10 a red alert and 2 a yellow one, never below 0."""
    return max(Decimal(0), FULL - RED_ALERT_POINTS * red - YELLOW_ALERT_POINTS * yellow)


def complaints_value(*, upheld: int) -> Decimal:
    """100 less 20 an upheld complaint, never below 0."""
    return max(Decimal(0), FULL - UPHELD_COMPLAINT_POINTS * upheld)


def satisfaction_value(*, rate: Decimal | None) -> Decimal:
    """The satisfaction rate in percent (``monitoring.ratings.selectors.satisfaction``); 100 when no
    service of the person's counts yet."""
    return FULL if rate is None else cents(FULL * rate)


def points(*, weight: Decimal, value: Decimal) -> Decimal:
    """What one indicator adds to the result: weight × value ÷ 100, unrounded."""
    return weight * value / FULL


def exact_text(value: Decimal) -> str:
    """``value`` in full with at least two decimals: 11.25, 9.00, 14.512815."""
    value = value.normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(CENT)
    return format(value, "f")


def result(parts: list[Decimal]) -> Decimal:
    """The result: the sum of the indicators' points, rounded half up to the cent."""
    return cents(sum(parts, Decimal(0)))

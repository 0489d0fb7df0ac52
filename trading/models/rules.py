"""The rule table: every legal time limit, threshold and count, per market and procedure, as data.

A row with no procedure holds for the whole market; a row for a procedure overrides it (see
``trading.selectors_calendar.rule_get``).

A statutory rule carries its legal limit (``legal_amount``: the floor of an "at least" rule, the
ceiling of an "at most" one) and its source. Its number changes only through a ``RuleChange`` that
one member of staff proposes and a second approves; a change beyond the legal limit is refused.
An approved change holds for lots published after it: a lot reads each rule as it stood when the
lot was published (``Rule.as_of``).
"""
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.citations import legal_citation
from trading.models.lots import Market, Procedure
from trading.money import wan_yuan


class RuleCode(models.TextChoices):
    DOCUMENTS_ON_SALE = "documents_on_sale", _("Tender documents on sale")
    BID_PREPARATION = "bid_preparation", _("Bid preparation (announcement to deadline)")
    AMENDMENT_NOTICE = "amendment_notice", _("Clarification or amendment before the deadline")
    DOCUMENTS_OBJECTION = "documents_objection", _("Objection to tender documents before the deadline")
    DOCUMENTS_OBJECTION_REPLY = "documents_objection_reply", _("Reply to an objection to tender documents")
    DEPOSIT_CAP = "deposit_cap", _("Bid deposit as a share of the estimate")
    DEPOSIT_REFUND = "deposit_refund", _("Deposit refund after the contract")
    MIN_BIDDERS = "min_bidders", _("Bids needed to open")
    COMMITTEE_SIZE = "committee_size", _("Evaluation committee size")
    COMMITTEE_EXPERTS = "committee_experts", _("Technical and economic experts on the committee")
    CANDIDATES_MAX = "candidates_max", _("Ranked candidates")
    CANDIDATES_PUBLICITY_START = "candidates_publicity_start", _("Candidate publicity after the evaluation report")
    CANDIDATES_PUBLICITY_LENGTH = "candidates_publicity_length", _("Candidate publicity period")
    CANDIDATES_OBJECTION_REPLY = "candidates_objection_reply", _("Reply to an objection to the candidates")
    COMPLAINT_FILING = "complaint_filing", _("Complaint filing")
    COMPLAINT_ACCEPTANCE = "complaint_acceptance", _("Complaint accepted or refused")
    COMPLAINT_DECISION = "complaint_decision", _("Complaint decided")
    CHALLENGE_FILING = "challenge_filing", _("Procurement challenge filing")
    CHALLENGE_REPLY = "challenge_reply", _("Reply to a procurement challenge")
    CONTRACT_SIGNING = "contract_signing", _("Contract after the award notice")
    LISTING_PERIOD = "listing_period", _("Listing period")
    LISTING_NOTICE = "listing_notice", _("Listing notice before the start")
    DISCLOSURE_PERIOD = "disclosure_period", _("Disclosure period")
    OPENING_RESPONSE_WINDOW = "opening_response_window", _("Bidders' confirmation or objection after the opening")
    AUCTION_COUNTDOWN = "auction_countdown", _("Live auction: countdown each accepted bid restarts")
    SUPERVISORS_PER_SESSION = "supervisors_per_session", _("Social supervisors drawn for each session")
    SUPERVISOR_TERM = "supervisor_term", _("Social supervisor's term")
    SUPERVISOR_TERM_NOTICE = "supervisor_term_notice", _("Notice to staff before a supervisor's term ends")
    STOP_REQUEST_ANSWER = "stop_request_answer", _("Staff's answer to a supervisor's stop request")
    OBSERVATION_REPORT = "observation_report", _("Supervisor's observation report after a session")
    MAJOR_SESSION = "major_session", _("A session is major (an official present) from this budget or reserve")
    ALERT_YELLOW = "alert_yellow", _("Yellow alert before a step's limit")
    INQUIRY_ANSWER = "inquiry_answer", _("Answer to a regulator's inquiry")
    # Integrity (monitoring.integrity, docs/integrity.md): the thresholds of the red flags at the opening.
    FLAG_CEILING_BAND = "flag_ceiling_band", _("Red flag: every price within this much of the ceiling")
    FLAG_PRICE_PATTERN = "flag_price_pattern", _("Red flag: tolerance of identical, arithmetic or fixed-ratio prices")
    FLAG_PRICE_GAP = "flag_price_gap", _("Red flag: the best price this far below the second best")
    FLAG_SUBMISSION_GAP = "flag_submission_gap", _("Red flag: different bidders' bids this close in time")
    FLAG_SHORT_PERIOD = "flag_short_period", _("Red flag: a bidding period shorter than this")
    # Service ratings (好差评, 国办发〔2019〕51号) and the archive of finished lots.
    RATING_ANSWER = "rating_answer", _("The centre answers a bad rating")
    RATING_DEFAULT = "rating_default", _("An unrated service counts as satisfied after")
    ARCHIVE_RETENTION = "archive_retention", _("A finished lot's archive is kept")
    # The outage rule (docs/availability.md): a deadline after the platform was unavailable too long.
    OUTAGE_TOLERANCE = "outage_tolerance", _("Platform outage tolerated before a deadline is extended")
    OUTAGE_PERIOD = "outage_period", _("Outages count within this period before a deadline")
    OUTAGE_EXTENSION = "outage_extension", _("A deadline is extended after a platform outage by")
    OPENING_CHECK_IN = "opening_check_in", _("Bidders check in to the opening hall from this long before the deadline")
    DECRYPTION_WINDOW = "decryption_window", _("Bidders decrypt their own bids at the opening within")
    WINDOW_OUTAGE_TOLERANCE = "window_outage_tolerance", _("Platform outage tolerated within a decryption window")
    REVOKED_DEPOSIT = "revoked_deposit", _("A bid counted as revoked at the opening keeps its deposit (1 yes, 0 no)")
    WITHDRAWN_DEPOSIT = "withdrawn_deposit", _("A bid counted as withdrawn at the opening keeps its deposit (1 yes, 0 no)")


class RuleUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MINUTES = "minutes", _("minutes")
    SECONDS = "seconds", _("seconds")
    YEARS = "years", _("years")
    PERCENT = "percent", _("percent")
    FRACTION = "fraction", _("fraction")
    COUNT = "count", _("count")
    WAN_YUAN = "wan_yuan", _("ten thousand yuan")


PERIOD_UNITS = (RuleUnit.CALENDAR_DAYS, RuleUnit.WORKING_DAYS, RuleUnit.MINUTES)


class RuleSense(models.TextChoices):
    MIN = "min", _("at least")
    MAX = "max", _("at most")


class Rule(models.Model):
    """One number of one rule. ``amount`` reads with ``unit`` and ``sense``: "at least 20 calendar
    days", "at most 2 percent", "at least 2/3" (a fraction is ``amount``/``denominator``)."""

    market = models.ForeignKey(Market, verbose_name=_("market"), on_delete=models.PROTECT, related_name="rules")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="rules", help_text=_("Empty: the rule holds for every procedure of the market."),
    )
    code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    amount = models.PositiveIntegerField(_("amount"))
    denominator = models.PositiveSmallIntegerField(
        _("denominator"), default=1, help_text=_("Only for fractions: the amount is the numerator."),
    )
    unit = models.CharField(_("unit"), max_length=16, choices=RuleUnit.choices)
    sense = models.CharField(_("sense"), max_length=3, choices=RuleSense.choices)
    odd_only = models.BooleanField(_("odd numbers only"), default=False)
    source = models.CharField(_("legal source"), max_length=200)
    legal_amount = models.PositiveIntegerField(
        _("legal limit"), null=True, blank=True,
        help_text=_("The statutory floor of an “at least” rule or ceiling of an “at most” rule, in the rule's "
                    "unit (the numerator of a fraction); empty for a rule the law does not bound."),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.CharField(_("updated by"), max_length=64, blank=True)

    class Meta:
        ordering = ["market__position", "code", "procedure_id"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["market", "code"], condition=Q(procedure__isnull=True),
                                    name="rule_once_per_market", violation_error_code="rule_duplicate",
                                    violation_error_message=_("The market already has this rule.")),
            models.UniqueConstraint(fields=["procedure", "code"], condition=Q(procedure__isnull=False),
                                    name="rule_once_per_procedure", violation_error_code="rule_duplicate",
                                    violation_error_message=_("The procedure already has this rule.")),
            models.CheckConstraint(condition=Q(denominator__gte=1), name="rule_denominator_positive"),
            models.CheckConstraint(condition=Q(unit="fraction") | Q(denominator=1),
                                   name="rule_denominator_only_for_fractions"),
        ]

    def __str__(self):
        scope = self.procedure or self.market
        return f"{scope} · {self.get_code_display()}: {self.get_sense_display()} {self.amount_text}"

    def clean(self):
        if self.procedure_id and self.market_id and self.procedure.market_id != self.market_id:
            _refuse("procedure", _("The procedure belongs to another market."), "rule_procedure_market")
        if self.unit == RuleUnit.FRACTION and not 0 < self.amount <= self.denominator:
            _refuse("amount", _("A fraction lies between 0 and 1."), "rule_fraction")
        if self.unit != RuleUnit.FRACTION and self.denominator != 1:
            _refuse("denominator", _("Only fractions have a denominator."), "rule_denominator")
        if self.odd_only and self.unit != RuleUnit.COUNT:
            _refuse("odd_only", _("Only counts can be odd."), "rule_odd_only")

    def within_law(self, amount: int, denominator: int = 1) -> bool:
        """Whether ``amount`` (over ``denominator``) stays on the lawful side of the legal limit."""
        if self.legal_amount is None:
            return True
        value, limit = Fraction(amount, denominator), Fraction(self.legal_amount, self.denominator)
        return value >= limit if self.sense == RuleSense.MIN else value <= limit

    @property
    def legal_text(self) -> str:
        if self.legal_amount is None:
            return ""
        if self.unit == RuleUnit.FRACTION:
            return f"{self.get_sense_display()} {self.legal_amount}/{self.denominator}"
        return f"{self.get_sense_display()} {self._with_unit(self.legal_amount)}"

    def as_of(self, moment) -> "Rule":
        """This rule as it stood at ``moment`` (a lot's publication): the numbers before every change
        approved after it. ``None`` is now. The row itself is not changed."""
        if moment is None:
            return self
        later = self.changes.filter(status=RuleChange.Status.APPROVED, decided_at__gt=moment).order_by("decided_at")
        first = later.first()
        if first is None:
            return self
        past = Rule(**{field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields})
        past.amount, past.denominator, past.odd_only = (first.previous_amount, first.previous_denominator,
                                                        first.previous_odd_only)
        return past

    @property
    def source_text(self) -> str:
        """The legal source as the reader's language cites it (《招标投标法》第二十四条 in Chinese)."""
        return legal_citation(self.source)

    @property
    def amount_text(self) -> str:
        if self.unit == RuleUnit.FRACTION:
            return f"{self.amount}/{self.denominator}"
        return self._with_unit(self.amount)

    def _with_unit(self, amount) -> str:
        if self.unit == RuleUnit.WAN_YUAN:
            return wan_yuan(amount * 10_000)
        return f"{amount} {self.get_unit_display()}"

    @property
    def ratio(self) -> Fraction:
        """Exact share for percent and fraction rules (2 percent is 1/50), so 2/3 of 9 is 6, not 6.03."""
        if self.unit == RuleUnit.PERCENT:
            return Fraction(self.amount, 100)
        if self.unit == RuleUnit.FRACTION:
            return Fraction(self.amount, self.denominator)
        raise ValueError(f"rule {self.code} is not a share but {self.unit}")

    def allows(self, value) -> bool:
        """Whether a count or a share (an int, Decimal or Fraction) satisfies this rule."""
        limit = self.ratio if self.unit in (RuleUnit.PERCENT, RuleUnit.FRACTION) else self.amount
        within = Fraction(value) >= limit if self.sense == RuleSense.MIN else Fraction(value) <= limit
        return within and not (self.odd_only and int(value) % 2 == 0)


def _refuse(field: str, message, code: str):
    raise ValidationError({field: ValidationError(message, code=code)})


class RuleChange(models.Model):
    """A proposed new number for a rule: proposed by one member of staff, approved or refused by
    another, in force for lots published after the approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting a second person")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="changes")
    amount = models.PositiveIntegerField(_("new amount"))
    denominator = models.PositiveSmallIntegerField(_("new denominator"), default=1)
    odd_only = models.BooleanField(_("odd numbers only"), default=False)
    previous_amount = models.PositiveIntegerField(_("amount before"))
    previous_denominator = models.PositiveSmallIntegerField(_("denominator before"), default=1)
    previous_odd_only = models.BooleanField(_("odd numbers only before"), default=False)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.CharField(_("proposed by"), max_length=64)
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.CharField(_("approved or refused by"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True,
                                      help_text=_("For an approved change: from when it holds."))
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule"], condition=Q(status="proposed"),
                                               name="rule_change_one_proposal")]

    def __str__(self):
        return f"{self.rule} → {self.amount}/{self.denominator} · {self.get_status_display()}"

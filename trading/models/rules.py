"""The rule table: every legal time limit, threshold and count, per market and procedure, as data.

A row with no procedure holds for the whole market; a row for a procedure overrides it (see
``trading.selectors_calendar.rule_get``). Staff edit rows in the admin, through ``rule_save``.
"""
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.models.lots import Market, Procedure


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


class RuleUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MINUTES = "minutes", _("minutes")
    PERCENT = "percent", _("percent")
    FRACTION = "fraction", _("fraction")
    COUNT = "count", _("count")


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
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.CharField(_("updated by"), max_length=64, blank=True)

    class Meta:
        ordering = ["market__position", "code", "procedure_id"]
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

    @property
    def amount_text(self) -> str:
        if self.unit == RuleUnit.FRACTION:
            return f"{self.amount}/{self.denominator}"
        return f"{self.amount} {self.get_unit_display()}"

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

"""From candidates to contract (DESIGN §5): objections during the candidates' publicity, the award
proposal the regulator reviews, the notices, and the contract record.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from bidding.models_evaluation import Candidate
from trading.models import Lot, Organisation


class CandidateObjection(models.Model):
    """A bidder's objection (异议) to the published candidates (实施条例 Art 54): answered within the
    rule's days, the lot suspended meanwhile. Who objected stays with the centre and the objector."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="candidate_objections")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    filed_at = models.DateTimeField()
    reply_due_at = models.DateTimeField()
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]

    @property
    def replied_late(self) -> bool:
        return self.replied_at is not None and self.replied_at >= self.reply_due_at


class AwardProposal(FSMModelMixin, models.Model):
    """Staff propose a candidate as the winner; the regulator approves or returns it with reasons."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="award_proposals")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="proposals")
    status = FSMField(default=Status.PROPOSED, choices=Status.choices, protected=True)
    note = models.TextField(_("note"), blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.CharField(max_length=64)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=64, blank=True)
    review_reasons = models.TextField(_("reasons"), blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["lot"], condition=models.Q(status__in=["proposed", "under_review"]),
            name="one_open_award_proposal")]

    @transition(field=status, source=Status.PROPOSED, target=Status.UNDER_REVIEW)
    def submit(self):
        """Sent to the regulator's review queue."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.APPROVED)
    def approve(self):
        """The regulator approved: the award notice goes out."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.RETURNED)
    def return_(self):
        """The regulator returned it with reasons; staff may propose again."""

    @transition(field=status, source=Status.APPROVED, target=Status.WITHDRAWN)
    def withdraw(self):
        """The winner declined, failed to sign or was disqualified (实施条例 Art 55)."""


class Notice(models.Model):
    """A signed notice of the result: the award notice (中标通知书 / 成交通知书) to the winner, a
    result notice to each other bidder."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award notice")
        RESULT = "result", _("Result notice")

    proposal = models.ForeignKey(AwardProposal, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    document = models.JSONField()
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "organisation"], name="notice_once")]


class Contract(models.Model):
    """The contract the winner signed, as recorded by staff; due within the rule's days of the award
    notice (招标投标法 Art 46). The sweep warns staff and regulators as the limit nears and once it
    has passed."""

    proposal = models.OneToOneField(AwardProposal, on_delete=models.PROTECT, related_name="contract")
    due_at = models.DateTimeField()
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    reference = models.CharField(_("contract number"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.CharField(max_length=64, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

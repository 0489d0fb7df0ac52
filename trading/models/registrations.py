"""Registration for a lot (报名), the bid deposit and its refund, and bank notifications."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models.lots import Lot
from trading.models.parties import Organisation, User


class Registration(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Registered")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registrations")
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "organisation"], name="registration_once_per_lot")]

    def __str__(self):
        return f"{self.organisation} → {self.lot}"

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self):
        """Pre-qualification passed, or the procedure needs none."""

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self):
        """Pre-qualification failed; the reason is recorded."""

    @transition(field=status, source=[Status.PENDING, Status.APPROVED], target=Status.WITHDRAWN)
    def withdraw(self):
        """The bidder stepped back before the deadline."""


class Deposit(FSMModelMixin, models.Model):
    """A bid deposit received for one registration, and its refund."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        REFUND_DUE = "refund_due", _("Refund due")
        REFUNDED = "refunded", _("Refunded")
        KEPT = "kept", _("Kept (not refunded)")

    class Source(models.TextChoices):
        STAFF = "staff", _("Confirmed by staff")
        BANK = "bank", _("Bank notification")

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="deposit")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    source = models.CharField(max_length=8, choices=Source.choices)
    reference = models.CharField(_("bank reference"), max_length=100)
    received_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=64)
    status = FSMField(default=Status.RECEIVED, choices=Status.choices, protected=True)
    refund_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    kept_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    @transition(field=status, source=Status.RECEIVED, target=Status.REFUND_DUE)
    def refund_falls_due(self):
        """The contract is signed or the bidder withdrew: the deposit goes back by the due date."""

    @transition(field=status, source=[Status.RECEIVED, Status.REFUND_DUE], target=Status.REFUNDED)
    def refund(self):
        """The money went back; the bank reference is recorded."""

    @transition(field=status, source=Status.RECEIVED, target=Status.KEPT)
    def keep(self):
        """The rules let the tenderer keep it (实施条例 Art 35: a bid revoked after the deadline)."""


class BankNotification(models.Model):
    """Every authenticated notification from the bank, kept so that a replayed nonce is refused."""

    nonce = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField()
    body_sha256 = models.CharField(max_length=64)
    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=40)

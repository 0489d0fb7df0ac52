"""Sealed bids: custodians' keys, each lot's opening key and its shares, and the bids themselves.

Nothing here can read a bid: the platform stores envelopes sealed to the lot's opening public key,
and the opening private key exists only as k-of-n shares, each sealed to one custodian's key, which
is itself stored only encrypted under that custodian's passphrase (docs/envelope.md).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models import Lot, Organisation


class CustodianKey(models.Model):
    """A custodian's P-256 key pair; the private half only wrapped under their passphrase."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="custodian_key")
    public_key_pem = models.TextField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField()


class OpeningKey(models.Model):
    """The lot's opening key pair, made at publication. The public key is published with the lot;
    the private key was split at once and never stored."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="opening_key")
    public_key_raw = models.BinaryField(help_text=_("Uncompressed P-256 point, 65 bytes."))
    threshold = models.PositiveSmallIntegerField(_("shares needed (k)"))
    created_at = models.DateTimeField()

    @property
    def shares_total(self) -> int:
        return self.shares.count()


class KeyShare(models.Model):
    """One Shamir share of an opening key, sealed (HPKE) to one custodian's public key."""

    opening_key = models.ForeignKey(OpeningKey, on_delete=models.PROTECT, related_name="shares")
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="key_shares")
    index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opening_key", "custodian"], name="one_share_per_custodian"),
            models.UniqueConstraint(fields=["opening_key", "index"], name="share_index_once"),
        ]


class Bid(FSMModelMixin, models.Model):
    """One stored envelope. A replacement is a new bid; the one it replaces moves to ``replaced``."""

    class Status(models.TextChoices):
        SEALED = "sealed", _("Sealed")
        REPLACED = "replaced", _("Replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OPENED = "opened", _("Opened")
        DECRYPT_FAILED_REVOKED = "decrypt_failed_revoked", _("Decryption failed: revoked (bidder's fault)")
        DECRYPT_FAILED_WITHDRAWN = "decrypt_failed_withdrawn", _("Decryption failed: withdrawn (not the bidder's fault)")
        VALID = "valid", _("Valid")
        REJECTED = "rejected", _("Rejected")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(default=Status.SEALED, choices=Status.choices, protected=True)
    storage_key = models.CharField(max_length=300, unique=True)
    envelope_sha256 = models.CharField(max_length=64)
    envelope_size = models.BigIntegerField()
    received_at = models.DateTimeField()
    receipt_id = models.UUIDField(unique=True)
    receipt = models.JSONField(help_text=_("The signed receipt file, as given to the bidder."))
    retain_until = models.DateTimeField()
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was replaced or withdrawn."))

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            # At most one live bid per organisation and lot: a replacement retires the old one in
            # the same transaction.
            models.UniqueConstraint(fields=["lot", "organisation"], condition=models.Q(status="sealed"),
                                    name="one_sealed_bid_per_bidder"),
        ]

    @transition(field=status, source=Status.SEALED, target=Status.REPLACED)
    def retire_for_replacement(self):
        """A newer envelope from the same bidder takes its place before the deadline."""

    @transition(field=status, source=Status.SEALED, target=Status.WITHDRAWN)
    def withdraw(self):
        """The bidder withdrew before the deadline."""

    @transition(field=status, source=Status.SEALED, target=Status.OPENED)
    def open(self):
        """Decrypted and parsed at the opening."""

    @transition(field=status, source=Status.SEALED, target=Status.DECRYPT_FAILED_REVOKED)
    def fail_by_bidder(self):
        """电子招标投标办法 Art 31: failed to decrypt through the bidder's fault, counts as revoked."""

    @transition(field=status, source=Status.SEALED, target=Status.DECRYPT_FAILED_WITHDRAWN)
    def fail_by_others(self):
        """电子招标投标办法 Art 31: failed through another's fault, counts as withdrawn."""

    @transition(field=status, source=Status.OPENED, target=Status.VALID)
    def accept(self):
        """Found valid in evaluation."""

    @transition(field=status, source=Status.OPENED, target=Status.REJECTED)
    def reject(self):
        """Found invalid in evaluation; the reason is recorded."""

"""The audit chain, which is also the event log, and its signed checkpoints.

Rows are only ever inserted, by ``monitoring.events.record`` and ``monitoring.audit.services``; on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE of both tables (migration 0002).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.chain import GENESIS_PREV

# Channels group names are limited to 99 characters and the group is "subject." + subject.
SUBJECT_MAX_LENGTH = 90


class AuditEntry(models.Model):
    """One domain event. ``actor`` and ``subject`` are plain strings so no deletion elsewhere can
    cascade into the chain."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=64)
    actor = models.CharField(_("actor"), max_length=64)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH, blank=True)
    subject_seq = models.PositiveBigIntegerField(_("sequence within subject"))
    data = models.JSONField(_("data"), default=dict)
    # 32 lowercase hex digits, random per entry, hashed with ``data`` (monitoring.chain.data_sha256);
    # written by monitoring.events, which computes the hash with it. Never shown for a redacted entry.
    salt = models.CharField(_("salt"), max_length=32)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(fields=["subject", "subject_seq"], name="audit_subject_seq_once"),
            models.CheckConstraint(condition=models.Q(subject_seq__gte=1), name="audit_subject_seq_positive"),
        ]

    def __str__(self):
        return f"#{self.id} {self.kind} {self.subject}"


class AuditHead(models.Model):
    """The single row every append locks: it serialises appends and holds the chain's end."""

    ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_PREV)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]


class Checkpoint(models.Model):
    """A signed statement that entry ``entry`` ends the chain with hash ``head_hash``.

    ``signature`` is hex Ed25519 over ``chain.checkpoint_message``. ``entry`` is a plain id, not a
    foreign key: the checkpoint must outlive any tampering with the entry it seals.
    """

    entry = models.BigIntegerField(_("entry"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        constraints = [models.UniqueConstraint(fields=["entry"], name="audit_checkpoint_once")]

    def __str__(self):
        return f"checkpoint @{self.entry}"

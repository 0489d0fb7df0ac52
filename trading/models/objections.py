"""Objections to a lot's tender documents (招标投标法实施条例 Art 22), and the tenderee's replies.

Who objected stays with the centre and the objector: the lot's public page and live room learn only
that the procedure is suspended.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.models.lots import Lot
from trading.models.parties import Organisation, User


class DocumentObjection(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="document_objections")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    filed_at = models.DateTimeField()
    # End of the reply period (rule documents_objection_reply), exclusive: the reply is in time while
    # it comes before this instant.
    reply_due_at = models.DateTimeField(db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["filed_at", "id"]
        indexes = [models.Index(fields=["lot", "replied_at"], name="objection_lot_open")]

    def __str__(self):
        return f"{self.lot_id}/{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.replied_at is None

    @property
    def replied_late(self) -> bool:
        return self.replied_at is not None and self.replied_at >= self.reply_due_at

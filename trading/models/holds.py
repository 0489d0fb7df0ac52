"""Holds on a lot: each open hold is one reason the procedure stays suspended.

Objections, complaints and orders overlap; the lot is suspended by the first hold and resumes only
when the last one is released (``trading.services.holds``). Released holds stay as the record of
who held the lot, when and why.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trading.models.lots import Lot


class LotHold(models.Model):
    class Reason(models.TextChoices):
        DOCUMENTS_OBJECTION = "documents_objection", _("Objection to the tender documents")
        CANDIDATES_OBJECTION = "candidates_objection", _("Objection to the candidates")
        COMPLAINT = "complaint", _("Complaint")
        ORDER = "order", _("Suspension order")

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    # The audit subject of what holds the lot ("objection:12", "complaint:3", "lot:7" for staff's order).
    subject = models.CharField(_("what holds it"), max_length=64)
    held_at = models.DateTimeField(_("held at"))
    held_by = models.CharField(_("held by"), max_length=64)
    # An order's reason, public on the lot's page; objections and complaints keep their texts to themselves.
    text = models.TextField(_("reason given"), blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.CharField(_("released by"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("lot hold")
        verbose_name_plural = _("lot holds")
        ordering = ["held_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "subject"], condition=Q(released_at__isnull=True),
                                    name="lot_hold_open_once_per_subject"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by="")
                | (Q(released_at__isnull=False) & ~Q(released_by="")),
                name="lot_hold_released_by_whom"),
        ]
        indexes = [models.Index(fields=["lot", "released_at"], name="lot_hold_lot_open")]

    def __str__(self):
        return f"{self.lot_id} · {self.reason} · {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None

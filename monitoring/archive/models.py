"""The archive of each finished lot (存档归档, docs/archive.md): one signed zip stored write-once,
listed here in the archive register."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class LotArchive(models.Model):
    lot = models.OneToOneField("trading.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="archive")
    storage_key = models.CharField(_("stored object"), max_length=300, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size"))
    files = models.PositiveIntegerField(_("files"))
    # The lot's status when it ended (contracted, failed, cancelled, terminated).
    outcome = models.CharField(_("outcome"), max_length=20)
    sealed_at = models.DateTimeField(_("sealed at"))
    retain_until = models.DateTimeField(_("kept until"))

    class Meta:
        app_label = "monitoring"
        ordering = ["-sealed_at", "-pk"]
        verbose_name = _("lot archive")
        verbose_name_plural = _("lot archives")

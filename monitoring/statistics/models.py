"""The yearly statistical report (年度统计报告, docs/statistics.md): each issued report is kept as
it was signed, so the figures published once can always be shown again beside today's."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class YearlyReport(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=8)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.CharField(_("issued by"), max_length=64)
    text = models.TextField(_("text"))
    figures = models.JSONField(_("figures"))
    storage_key = models.CharField(_("stored PDF"), max_length=300, unique=True)
    sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        app_label = "monitoring"
        ordering = ["-year", "-issued_at"]
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")

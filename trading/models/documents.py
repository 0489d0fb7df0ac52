"""Tender documents per lot, versioned, kept in object storage; every download is recorded."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.models.lots import Lot
from trading.models.parties import Organisation, User


class LotDocument(models.Model):
    """One version of one document of a lot. A new upload under the same name is the next version;
    earlier versions stay stored and listed (bidders may have relied on them)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(_("file name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"))
    storage_key = models.CharField(max_length=300, unique=True)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.CharField(max_length=64)

    class Meta:
        ordering = ["lot", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["lot", "name", "version"], name="document_version_once")]

    def __str__(self):
        return f"{self.name} v{self.version}"


class DocumentDownload(models.Model):
    document = models.ForeignKey(LotDocument, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="document_downloads")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["at", "id"]

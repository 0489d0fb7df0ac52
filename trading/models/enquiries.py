"""Questions bidders ask on a lot, answered publicly without naming who asked."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.models.announcements import Announcement
from trading.models.lots import Lot
from trading.models.parties import Organisation, User


class Enquiry(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="enquiries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=64, blank=True)
    # Set when the answer changes the documents or the schedule and was published as an amendment.
    amendment = models.ForeignKey(Announcement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["asked_at", "id"]

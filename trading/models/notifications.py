"""Notices to one person: kept on the platform (their notices page and API) and mailed after commit
when the person has a verified address. The text is written in every language of the platform when
the notice is made, so each reader sees it in theirs."""
from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("kind"), max_length=48)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    body_zh = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "").startswith("en") else self.body_zh

"""People and organisations: accounts with roles, parties with checked identity numbers."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from trading.validators import validate_resident_id, validate_uscc


class Role(models.TextChoices):
    BIDDER = "bidder", _("Bidder")
    STAFF = "staff", _("Trading-centre staff")
    CUSTODIAN = "custodian", _("Key custodian")
    EXPERT = "expert", _("Evaluation expert")
    SUPERVISOR = "supervisor", _("Social supervisor")
    REGULATOR = "regulator", _("Regulator")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BIDDER = "bidder", _("Bidder")
        TENDEREE = "tenderee", _("Tenderee")
        AGENCY = "agency", _("Tendering agency")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in. Roles are granted separately; one person may hold several."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    resident_id = models.CharField(
        _("resident ID number"), max_length=18, unique=True, null=True, blank=True,
        validators=[validate_resident_id],
        help_text=_("Required for individuals such as experts and supervisors."),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_set(self) -> set[str]:
        if not hasattr(self, "_role_set"):
            self._role_set = set(self.roles.values_list("role", flat=True)) if self.pk else set()
        return self._role_set

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_once")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """A failed sign-in; recent ones for a username or an address throttle further attempts."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)

"""People and organisations: accounts with roles, parties with checked identity numbers.

Accounts and roles change only through ``trading.accounts.services`` (and ``createsuperuser`` on
the server), which audit every change; docs/accounts.md says who may do what."""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from monitoring.events import record
from trading.validators import validate_resident_id, validate_uscc


class Role(models.TextChoices):
    BIDDER = "bidder", _("Bidder")
    STAFF = "staff", _("Trading-centre staff")
    CUSTODIAN = "custodian", _("Key custodian")
    EXPERT = "expert", _("Evaluation expert")
    SUPERVISOR = "supervisor", _("Social supervisor")
    REGULATOR = "regulator", _("Regulator")
    COMPANY_ADMIN = "company_admin", _("Company administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    # The head of a centre department (科室负责人): edits the assessment's weights, enters the
    # qualitative indicators of the staff they assess (monitoring.assessment).
    STAFF_MANAGER = "staff_manager", _("Staff manager")


# Roles whose sessions need a second factor (TOTP), and roles that take two people to grant.
SECOND_FACTOR_ROLES = frozenset({Role.STAFF, Role.CUSTODIAN, Role.REGULATOR, Role.SECURITY_ADMIN,
                                 Role.STAFF_MANAGER})
TWO_PERSON_ROLES = frozenset({Role.REGULATOR, Role.CUSTODIAN})


class Organisation(FSMModelMixin, models.Model):
    """A party. Companies that sign themselves up start ``pending`` until staff approve them; parties
    that staff register are approved at once. Name, representative and licence change only through
    a reviewed ``OrganisationChange``."""

    class Kind(models.TextChoices):
        BIDDER = "bidder", _("Bidder")
        TENDEREE = "tenderee", _("Tenderee")
        AGENCY = "agency", _("Tendering agency")

    class Sector(models.TextChoices):
        """What kind of body a tenderee is: the statistics' "tenderee type" (docs/statistics.md)."""
        GOVERNMENT = "government", _("Government body")
        INSTITUTION = "institution", _("Public institution")
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        PRIVATE = "private", _("Private enterprise")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices, blank=True)
    # Not ``protected``: parties are validated with full_clean, which sets every field; moves still go
    # through the transitions below, in trading.accounts.services.companies.
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    licence_key = models.CharField(_("business licence (stored object)"), max_length=300, blank=True)
    licence_name = models.CharField(_("business licence file name"), max_length=200, blank=True)
    licence_sha256 = models.CharField(_("business licence SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self):
        """Staff approved the sign-up. Caller holds the row's lock and writes the review."""

    @transition(field=status, source=Status.PENDING, target=Status.REFUSED)
    def refuse(self):
        """Staff refused the sign-up, with a reason kept on the review."""

    @transition(field=status, source=Status.REFUSED, target=Status.PENDING)
    def resubmit(self):
        """The company corrected its sign-up and asks again."""


class PlatformUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """What ``createsuperuser`` calls, on the server: the only way a superuser comes to exist,
        and each one made is on the audit chain (``user.superuser_created``)."""
        with transaction.atomic():
            user = super().create_superuser(username, email, password, **extra_fields)
            record(kind="user.superuser_created", actor="system:createsuperuser", subject=f"user:{user.pk}",
                   data={"username": user.username})
        return user


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
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True,
                              help_text=_("For text messages when a matter of yours is done."))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.CharField(_("locked by"), max_length=64, blank=True)
    locked_reason = models.TextField(_("reason for the lock"), blank=True)

    objects = PlatformUserManager()

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
    granted_by = models.CharField(_("granted by"), max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_once")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """A failed sign-in; recent ones for a username or an address throttle further attempts."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)

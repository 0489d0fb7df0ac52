"""Sealed bids and the opening: custodian and opening keys, key shares, bids, opening sessions,
shares presented, each bid's opening, the bidders' responses to the record, and the bidders' own keys."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from trading.models import Lot, Organisation, Registration


class CustodianKey(models.Model):
    """A custodian's P-256 key pair; the private half only wrapped under their passphrase."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="custodian_key")
    public_key_pem = models.TextField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField()


class OpeningKey(models.Model):
    """The lot's opening key pair, made at publication. The public key is published with the lot;
    the private key was split at once and never stored."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="opening_key")
    public_key_raw = models.BinaryField(help_text=_("Uncompressed P-256 point, 65 bytes."))
    threshold = models.PositiveSmallIntegerField(_("shares needed (k)"))
    created_at = models.DateTimeField()

    @property
    def shares_total(self) -> int:
        return self.shares.count()


class KeyShare(models.Model):
    """One Shamir share of an opening key, sealed (HPKE) to one custodian's public key."""

    opening_key = models.ForeignKey(OpeningKey, on_delete=models.PROTECT, related_name="shares")
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="key_shares")
    index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opening_key", "custodian"], name="one_share_per_custodian"),
            models.UniqueConstraint(fields=["opening_key", "index"], name="share_index_once"),
        ]


class Bid(FSMModelMixin, models.Model):
    """One stored envelope. A replacement is a new bid; the one it replaces moves to ``replaced``."""

    class Status(models.TextChoices):
        SEALED = "sealed", _("Sealed")
        REPLACED = "replaced", _("Replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OPENED = "opened", _("Opened")
        DECRYPT_FAILED_REVOKED = "decrypt_failed_revoked", _("Decryption failed: revoked (bidder's fault)")
        DECRYPT_FAILED_WITHDRAWN = "decrypt_failed_withdrawn", _("Decryption failed: withdrawn (not the bidder's fault)")
        VALID = "valid", _("Valid")
        REJECTED = "rejected", _("Rejected")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(default=Status.SEALED, choices=Status.choices, protected=True)
    storage_key = models.CharField(max_length=300, unique=True)
    envelope_sha256 = models.CharField(max_length=64)
    envelope_size = models.BigIntegerField()
    received_at = models.DateTimeField()
    receipt_id = models.UUIDField(unique=True)
    receipt = models.JSONField(help_text=_("The signed receipt file, as given to the bidder."))
    retain_until = models.DateTimeField()
    # Where the envelope came from, for the integrity rules (several bidders from one address or one
    # device): the client's address as the server saw it, and the sealer's device fingerprint (a
    # SHA-256 hex the browser or the command line sends; docs/integrity.md says what goes into it).
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    device_fingerprint = models.CharField(max_length=64, blank=True)
    envelope_version = models.PositiveSmallIntegerField(
        default=1, help_text=_("1: the lot's lock only; 2: the lot's and the bidder's own (docs/envelope.md)."))
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was replaced or withdrawn."))

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            # At most one live bid per organisation and lot: a replacement retires the old one in
            # the same transaction.
            models.UniqueConstraint(fields=["lot", "organisation"], condition=models.Q(status="sealed"),
                                    name="one_sealed_bid_per_bidder"),
        ]

    @transition(field=status, source=Status.SEALED, target=Status.REPLACED)
    def retire_for_replacement(self):
        """A newer envelope from the same bidder takes its place before the deadline."""

    @transition(field=status, source=Status.SEALED, target=Status.WITHDRAWN)
    def withdraw(self):
        """The bidder withdrew before the deadline."""

    @transition(field=status, source=Status.SEALED, target=Status.OPENED)
    def open(self):
        """Decrypted and parsed at the opening."""

    @transition(field=status, source=Status.SEALED, target=Status.DECRYPT_FAILED_REVOKED)
    def fail_by_bidder(self):
        """电子招标投标办法 Art 31: failed to decrypt through the bidder's fault, counts as revoked."""

    @transition(field=status, source=Status.SEALED, target=Status.DECRYPT_FAILED_WITHDRAWN)
    def fail_by_others(self):
        """电子招标投标办法 Art 31: failed through another's fault, counts as withdrawn."""

    @transition(field=status, source=Status.OPENED, target=Status.VALID)
    def accept(self):
        """Found valid in evaluation."""

    @transition(field=status, source=Status.OPENED, target=Status.REJECTED)
    def reject(self):
        """Found invalid in evaluation; the reason is recorded."""


class OpeningSession(FSMModelMixin, models.Model):
    """The online opening of one lot (不见面开标): custodians present shares; where a bid carries its
    bidder's own lock (envelope v2) the bidders then release their parts inside the decryption
    window; the bids are decrypted and read, the record is published, bidders sign or object, the
    session closes with the signed minutes (docs/opening-hall.md)."""

    class Status(models.TextChoices):
        COLLECTING_SHARES = "collecting_shares", _("Collecting key shares")
        DECRYPTION_WINDOW = "decryption_window", _("Bidders decrypting")
        DECRYPTING = "decrypting", _("Decrypting")
        RECORD_PUBLISHED = "record_published", _("Record published")
        CLOSED = "closed", _("Closed")

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="opening_session")
    status = FSMField(default=Status.COLLECTING_SHARES, choices=Status.choices, protected=True)
    started_at = models.DateTimeField()
    started_by = models.CharField(max_length=64)
    record = models.JSONField(null=True, blank=True, help_text=_("The signed opening record."))
    record_published_at = models.DateTimeField(null=True, blank=True)
    responses_until = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField(null=True, blank=True, db_index=True,
                                        help_text=_("The decryption window's end (moved by a pause or an extension)."))
    window_extended_at = models.DateTimeField(null=True, blank=True,
                                              help_text=_("When an outage extended the decryption window."))
    paused_at = models.DateTimeField(null=True, blank=True)
    minutes = models.JSONField(null=True, blank=True,
                               help_text=_("The signed minutes: the record with every confirmation, objection and step."))

    @transition(field=status, source=Status.COLLECTING_SHARES, target=Status.DECRYPTION_WINDOW)
    def open_window(self):
        """k shares are in and bids carry their bidders' locks: the bidders release their parts."""

    @transition(field=status, source=[Status.COLLECTING_SHARES, Status.DECRYPTION_WINDOW], target=Status.DECRYPTING)
    def decrypt(self):
        """k shares are in (and the decryption window over): the key is rebuilt in memory and the envelopes opened."""

    @transition(field=status, source=Status.DECRYPTING, target=Status.RECORD_PUBLISHED)
    def publish_record(self):
        """The signed record is out; bidders confirm or object until ``responses_until``."""

    @transition(field=status, source=Status.RECORD_PUBLISHED, target=Status.CLOSED)
    def close(self):
        """The response window is over and every objection answered."""


class BidCount(models.Model):
    """How many sealed bids a lot had when bidding closed: the one figure about its bids that is
    told before the opening (the names stay sealed until it)."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="bid_count")
    sealed = models.PositiveIntegerField()
    counted_at = models.DateTimeField()


class SharePresentation(models.Model):
    """A custodian's share, presented at the opening with their passphrase. Until the record is
    published the share is kept encrypted under a key derived for this session; then it is erased."""

    session = models.ForeignKey(OpeningSession, on_delete=models.PROTECT, related_name="presentations")
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveSmallIntegerField()
    share_cipher = models.BinaryField(null=True, blank=True)
    presented_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "custodian"], name="present_share_once")]


class BidOpening(models.Model):
    """What the opening found in one envelope: the declared price form, or the failure and its
    outcome under 电子招标投标办法 Art 31."""

    class Fault(models.TextChoices):
        BIDDER = "bidder", _("the bidder")
        PLATFORM = "platform", _("the platform")

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="opening")
    price = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    period_days = models.PositiveIntegerField(null=True)
    items = models.JSONField(default=dict)
    files = models.JSONField(default=list)
    failure_code = models.CharField(max_length=40, blank=True)
    fault = models.CharField(max_length=10, blank=True, choices=Fault.choices)
    opened_at = models.DateTimeField()


class OpeningResponse(models.Model):
    """A bidder's confirmation of the record, or an objection that staff answer in the session."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirmation")
        DEEMED = "deemed", _("Confirmation by silence")
        OBJECTION = "objection", _("Objection")

    session = models.ForeignKey(OpeningSession, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=100, blank=True,
                                 help_text=_("The bidder's ECDSA signature of the confirmation, base64url."))
    signing_key = models.BinaryField(null=True, blank=True, help_text=_("The bidder's signing key it verifies with."))

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "organisation"],
                                               condition=models.Q(kind__in=["confirm", "deemed"]),
                                               name="confirm_once")]


class BidderKey(models.Model):
    """The bidder's own key for one registration (docs/bidder-keys.md): the public halves of its
    encryption key (the second lock of its v2 envelopes) and signing key, and the key file, wrapped
    under the bidder's passphrase, exactly as uploaded so the bidder can fetch it in any browser."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="bidder_key")
    encryption_public_key = models.BinaryField(help_text=_("Uncompressed P-256 point, 65 bytes (HPKE)."))
    signing_public_key = models.BinaryField(help_text=_("Uncompressed P-256 point, 65 bytes (ECDSA)."))
    fingerprint = models.CharField(max_length=43, help_text=_("SHA-256 of the encryption key, base64url."))
    key_file = models.TextField(blank=True, help_text=_("The wrapped key file as the bidder uploaded it."))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_proved_at = models.DateTimeField(null=True, blank=True)
    failed_proofs = models.PositiveIntegerField(default=0, help_text=_("Failed key checks since the last success."))

    @property
    def proved(self) -> bool:
        """Checked, and no check has failed since."""
        return self.last_proved_at is not None and self.failed_proofs == 0


class BidderKeyChallenge(models.Model):
    """One key check: a random challenge sealed to the key it names, answered once. Only the
    answer's SHA-256 is kept, so the table alone cannot answer it."""

    class Outcome(models.TextChoices):
        PROVED = "proved", _("Proved")
        FAILED = "failed", _("Failed")

    bidder_key = models.ForeignKey(BidderKey, on_delete=models.PROTECT, related_name="challenges")
    challenge_id = models.UUIDField(unique=True)
    fingerprint = models.CharField(max_length=43, help_text=_("The key the challenge was sealed to."))
    answer_sha256 = models.CharField(max_length=64)
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True, choices=Outcome.choices)


class HallCheckIn(models.Model):
    """A bidder's check-in (签到) to the opening hall, with its key proved where it holds one."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="hall_check_ins")
    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="hall_check_in")
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=43, blank=True, help_text=_("The bidder key proved at check-in."))

    class Meta:
        ordering = ["at", "id"]


class BidderRelease(models.Model):
    """A bidder's part of one v2 envelope, released in the decryption window and checked against
    the envelope's commitment. Kept encrypted under the session's key until the bids are opened,
    then erased, as the custodians' shares are."""

    session = models.ForeignKey(OpeningSession, on_delete=models.PROTECT, related_name="releases")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="release")
    part_cipher = models.BinaryField(null=True, blank=True)
    released_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class HallPause(models.Model):
    """The host paused the opening; the windows stood still until it resumed, with the time they had left."""

    session = models.ForeignKey(OpeningSession, on_delete=models.PROTECT, related_name="pauses")
    paused_at = models.DateTimeField()
    paused_by = models.CharField(max_length=64)
    reason = models.TextField()
    window_left = models.DurationField(null=True, blank=True)
    responses_left = models.DurationField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["paused_at", "id"]


class HallQuestion(models.Model):
    """A bidder's question in the hall and the host's answer, both on the lot's record."""

    session = models.ForeignKey(OpeningSession, on_delete=models.PROTECT, related_name="questions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]


class HallRefusal(models.Model):
    """A refused attempt in the opening hall (check-in, release, confirmation), counted so that
    repeated ones raise an alert; each is also on the audit record."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["lot", "user"], name="hall_refusal_lot_user")]

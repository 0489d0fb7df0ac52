"""Bid deposits: recorded by staff or by the bank's signed notification, and refunded on time.

Lock order, shared with ``trading.services.registrations``: lot, then registration, then deposit.
Every write emits one event under the registration's subject, not the lot's: the lot's live room
must not learn who registered or paid (招标投标法 Art 22).
"""
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from monitoring.events import record
from trading import bank, clock
from trading.errors import TradingError
from trading.money import yuan
from trading.models import BankNotification, Deposit, Lot, Registration, RuleCode
from trading.selectors_calendar import lot_published_at, rule_find, rule_get
from trading.services_calendar import calendar_provisional_alert
from trading.workdays import deadline_add

BANK_ACTOR = "system:bank"
ACCEPTED = "accepted"


def _subject(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def registration_lock(registration_id: int) -> Registration:
    """The registration, locked for the caller's transaction (after its lot, if the caller locks both)."""
    try:
        return (Registration.objects.select_for_update(of=("self",))
                .select_related("lot__project__market", "lot__project__procedure", "organisation")
                .get(pk=registration_id))
    except Registration.DoesNotExist:
        raise TradingError("registration_not_found", _("There is no such registration."), status=404) from None


def deposit_cap_check(*, lot: Lot) -> None:
    """Refuse a lot whose required deposit exceeds the rule table's cap.

    Publication already refuses such a lot; this guards money all the same, under the cap as it
    stood at publication (a change approved since holds for later lots only). A procedure with no
    ``deposit_cap`` row has no cap (a land or equity listing's deposit is set by its announcement); a
    tender lot cannot be created without one.
    """
    rule = rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.DEPOSIT_CAP,
                     at=lot_published_at(lot=lot))
    if rule is None:
        return
    if not rule.allows(Fraction(lot.deposit) / Fraction(lot.estimate)):
        cap = (lot.estimate * Decimal(rule.ratio.numerator) / Decimal(rule.ratio.denominator)).quantize(Decimal("0.01"))
        raise TradingError(
            "deposit_cap",
            _("The lot asks a deposit of %(deposit)s, above the cap of %(rule)s of the estimate "
              "(%(source)s): at most %(cap)s. Staff must correct the lot before deposits are taken.")
            % {"deposit": yuan(lot.deposit), "rule": rule.amount_text, "source": rule.source_text, "cap": yuan(cap)},
            status=409,
        )


def _deposit_record(*, registration: Registration, amount: Decimal, reference: str, source: str, actor: str,
                    data: dict | None = None) -> Deposit:
    """Caller holds the registration's lock inside a transaction."""
    lot = registration.lot
    if registration.status not in (Registration.Status.PENDING, Registration.Status.APPROVED):
        raise TradingError("registration_not_active",
                           _("The registration is %(status)s; no deposit can be taken for it.")
                           % {"status": Registration.Status(registration.status).label}, status=409)
    if Deposit.objects.filter(registration=registration).exists():
        raise TradingError("deposit_exists", _("A deposit is already recorded for this registration."), status=409)
    if not lot.deposit:
        raise TradingError("deposit_not_required", _("This lot asks no deposit."), status=409)
    deposit_cap_check(lot=lot)
    if amount != lot.deposit:
        raise TradingError("deposit_amount_mismatch",
                           _("The deposit for this lot is %(required)s, not %(amount)s.")
                           % {"required": yuan(lot.deposit), "amount": yuan(amount)}, status=409)
    if not reference.strip():
        raise TradingError("reference_required", _("Give the bank reference of the payment."))
    deposit = Deposit.objects.create(registration=registration, amount=amount, currency=lot.currency, source=source,
                                     reference=reference.strip(), received_at=clock.now(), recorded_by=actor)
    record(kind="deposit.received", actor=actor, subject=_subject(registration),
           data={"deposit": deposit.pk, "lot": lot.pk, "organisation": registration.organisation_id,
                 "amount": str(amount), "currency": deposit.currency, "source": source,
                 "reference": deposit.reference, **(data or {})})
    return deposit


def deposit_confirm(*, registration_id: int, amount: Decimal, reference: str, actor: str) -> Deposit:
    """Staff record a deposit they saw arrive (a transfer without a notification, a cashier's cheque)."""
    with transaction.atomic():
        registration = registration_lock(registration_id)
        return _deposit_record(registration=registration, amount=amount, reference=reference,
                               source=Deposit.Source.STAFF, actor=actor)


def _registration_of_payer(message: bank.BankMessage) -> Registration | None:
    registrations = Registration.objects.filter(organisation__uscc=message.uscc)
    if isinstance(message.lot, int):
        registrations = registrations.filter(lot_id=message.lot)
    else:
        project_code, _sep, number = message.lot.rpartition("-")
        if not number.isdigit():
            return None
        registrations = registrations.filter(lot__project__code=project_code, lot__number=int(number))
    return registrations.values_list("pk", flat=True).first()


def deposit_bank_notify(*, body: bytes, signature: str | None) -> Deposit:
    """Apply one notification from the bank, given its raw body and ``X-Signature`` header.

    Refusals before the nonce is known to be authentic and fresh (signature, form, window) record
    nothing. From there on the nonce is stored with its outcome in the same transaction as the
    deposit, so a replay is refused even when the first try was refused: the unique nonce makes a
    concurrent replay wait for the first transaction and then fail.
    """
    secret = settings.PLATFORM_BANK_HMAC_SECRET
    if not secret:
        raise TradingError("bank_not_configured", _("Bank notifications are not configured."), status=503)
    if not bank.signature_valid(body=body, header=signature, secret=secret):
        raise TradingError("bad_signature", _("The signature does not match the body."), status=401)
    try:
        message = bank.message_parse(body)
    except bank.BankMessageError as error:
        raise TradingError("bad_notification", _("The notification is malformed: %(reason)s.")
                           % {"reason": error.reason}) from None
    now = clock.now()
    window = settings.PLATFORM_BANK_WINDOW_SECONDS
    if not bank.timestamp_fresh(sent_at=message.sent_at, now=now, window_seconds=window):
        raise TradingError("stale", _("The timestamp is outside the accepted window of %(n)s seconds.")
                           % {"n": window}, status=401)
    replayed = TradingError("replayed", _("This nonce was used before."), status=409)
    if BankNotification.objects.filter(nonce=message.nonce).exists():
        raise replayed
    refusal = deposit = None
    with transaction.atomic():
        try:
            # A concurrent request with this nonce waits here for the first one's transaction, then
            # fails on the unique nonce.
            with transaction.atomic():
                notification = BankNotification.objects.create(
                    nonce=message.nonce, sent_at=message.sent_at, received_at=now, body_sha256=bank.body_sha256(body),
                    outcome="pending",
                )
        except IntegrityError:
            raise replayed from None
        try:
            # A savepoint: a refused deposit leaves nothing but the notification and its outcome.
            with transaction.atomic():
                deposit = _bank_deposit(message, notification)
        except TradingError as error:
            refusal = error
            record(kind="bank.notification_refused", actor=BANK_ACTOR,
                   subject=f"bank_notification:{notification.pk}",
                   data={"nonce": message.nonce, "code": error.code, "lot": message.lot, "uscc": message.uscc,
                         "amount": str(message.amount), "reference": message.reference})
        notification.deposit = deposit
        notification.outcome = refusal.code if refusal else ACCEPTED
        notification.save(update_fields=["deposit", "outcome"])
    if refusal:
        raise refusal
    return deposit


def _bank_deposit(message: bank.BankMessage, notification: BankNotification) -> Deposit:
    registration_id = _registration_of_payer(message)
    if registration_id is None:
        raise TradingError("unknown_registration",
                           _("The payer has not registered for this lot."), status=404)
    registration = registration_lock(registration_id)
    return _deposit_record(registration=registration, amount=message.amount, reference=message.reference,
                           source=Deposit.Source.BANK, actor=BANK_ACTOR,
                           data={"nonce": message.nonce, "notification": notification.pk})


def deposit_refund_due_locked(*, deposit: Deposit, reason: str, actor: str, at: datetime) -> Deposit:
    """Caller holds the registration's and the deposit's locks inside a transaction, and has put
    the locked registration (with its lot) on ``deposit``. The due date counts from ``at`` by the rule."""
    registration = deposit.registration
    lot = registration.lot
    rule = rule_get(market=lot.project.market_id, procedure=lot.project.procedure, code=RuleCode.DEPOSIT_REFUND,
                    at=lot_published_at(lot=lot))
    due = deadline_add(start=at, amount=rule.amount, unit=rule.unit)
    try:
        deposit.refund_falls_due()
    except TransitionNotAllowed:
        raise TradingError("deposit_not_received",
                           _("Only a deposit that is held can fall due for refund; this one is %(status)s.")
                           % {"status": Deposit.Status(deposit.status).label}, status=409) from None
    deposit.refund_due_at = due.at
    deposit.save(update_fields=["status", "refund_due_at"])
    for year in due.unconfirmed_years:
        calendar_provisional_alert(year=year)
    record(kind="deposit.refund_due", actor=actor, subject=_subject(registration),
           data={"deposit": deposit.pk, "lot": lot.pk, "reason": reason, "from": at.isoformat(),
                 "due_at": due.at.isoformat(), "rule": f"{rule.amount_text} ({rule.source})",
                 "provisional": due.provisional})
    return deposit


def deposit_refund_due(*, registration_id: int, reason: str, actor: str, at: datetime) -> Deposit:
    """The contract is signed or the bidder withdrew at ``at``: the deposit must go back by the
    rule's date (``deposit_refund``, 5 days by default)."""
    with transaction.atomic():
        registration = registration_lock(registration_id)
        deposit = Deposit.objects.select_for_update().filter(registration=registration).first()
        if deposit is None:
            raise TradingError("deposit_not_found", _("No deposit is recorded for this registration."), status=404)
        deposit.registration = registration
        return deposit_refund_due_locked(deposit=deposit, reason=reason, actor=actor, at=at)


def deposit_refunded(*, deposit_id: int, reference: str, actor: str) -> Deposit:
    if not reference.strip():
        raise TradingError("reference_required", _("Give the bank reference of the refund."))
    with transaction.atomic():
        registration_id = Deposit.objects.filter(pk=deposit_id).values_list("registration_id", flat=True).first()
        if registration_id is None:
            raise TradingError("deposit_not_found", _("There is no such deposit."), status=404)
        registration = registration_lock(registration_id)
        deposit = Deposit.objects.select_for_update().get(pk=deposit_id)
        try:
            deposit.refund()
        except TransitionNotAllowed:
            raise TradingError("deposit_already_refunded", _("This deposit is already refunded."), status=409) from None
        deposit.refunded_at = clock.now()
        deposit.refund_reference = reference.strip()
        deposit.save(update_fields=["status", "refunded_at", "refund_reference"])
        record(kind="deposit.refunded", actor=actor, subject=_subject(registration),
               data={"deposit": deposit.pk, "lot": registration.lot_id, "reference": deposit.refund_reference,
                     "late": bool(deposit.refund_due_at and deposit.refunded_at >= deposit.refund_due_at)})
    return deposit


def deposit_settle_at_opening(*, registration_id: int, outcome: str, keep: bool, actor: str,
                               at: datetime) -> Deposit | None:
    """A bid that failed to decrypt at the opening: its deposit is kept (``keep``, as the rule
    table says for ``outcome``) or falls due for refund from ``at``. Caller is inside a
    transaction; None when no deposit is held (none was asked, or it is already settled)."""
    registration = registration_lock(registration_id)
    deposit = Deposit.objects.select_for_update().filter(registration=registration,
                                                         status=Deposit.Status.RECEIVED).first()
    if deposit is None:
        return None
    deposit.registration = registration
    if not keep:
        return deposit_refund_due_locked(deposit=deposit, reason=f"opening_{outcome}", actor=actor, at=at)
    deposit.keep()
    deposit.kept_at, deposit.kept_reason = at, f"opening_{outcome}"
    deposit.save(update_fields=["status", "kept_at", "kept_reason"])
    record(kind="deposit.kept", actor=actor, subject=_subject(registration),
           data={"deposit": deposit.pk, "lot": registration.lot_id, "reason": deposit.kept_reason,
                 "amount": str(deposit.amount)})
    return deposit


def deposits_release_for_lot(*, lot_id: int, keep_organisation_ids: list[int], actor: str,
                             at: datetime) -> list[Deposit]:
    """Every deposit of the lot still held, except those of ``keep_organisation_ids`` (the winner
    until the contract), falls due for refund counted from ``at``. Idempotent."""
    with transaction.atomic():
        registrations = list(
            Registration.objects.select_for_update(of=("self",))
            .select_related("lot__project__market", "lot__project__procedure")
            .filter(lot_id=lot_id, deposit__status=Deposit.Status.RECEIVED)
            .exclude(organisation_id__in=keep_organisation_ids).order_by("pk")
        )
        released = []
        for registration in registrations:
            deposit = Deposit.objects.select_for_update().get(registration=registration)
            deposit.registration = registration
            released.append(deposit_refund_due_locked(deposit=deposit, reason="released", actor=actor, at=at))
    return released

"""A social supervisor's life in the registry: recommended by a unit (staff enter the unit's letter)
or self-nominated by a signed-in person, vetted and appointed by staff, the pledge accepted by the
supervisor themself (which issues the certificate), then suspended, reinstated, dismissed, renewed,
or expired by the term sweep.

Each person needs an account with a resident ID number (they are a natural person the centre
appoints): staff recommending on a unit's behalf either name an existing account or create one
through ``trading.services.parties.user_create`` (the resident ID checked there); a self-nominated
person nominates their own signed-in account.

Every move is a ``SupervisorStatusChange``, an event under ``supervisor:<pk>`` and a notice to the
person (``common.status_move``). Refusals of a right (not staff, someone else's pledge) are audited
and change nothing; lock order: the lots a dismissal frees (``lock_for_seats``), the entry, the
person's account (the roles service)."""
from datetime import date, timedelta
from typing import NamedTuple

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import access_changed, actor_of, record
from supervisors.models import Assignment
from supervisors.registry import rules
from supervisors.registry.errors import RegistryError, refuse
from supervisors.registry.errors import RegistryErrorCode as Code
from supervisors.registry.models import Supervisor
from supervisors.registry.selectors import vetting_grounds
from supervisors.registry.services.common import (lock_for_seats, reason_text, role_give, role_take, staff_check,
                                                  staff_on, status_move, status_refusal, subject_of, supervisor_lock,
                                                  term_days)
from supervisors.registry.services.documents import Upload, certificate_store, pdf_store
from trading import clock
from trading.models import Market, Organisation, User
from trading.services.parties import user_create
from trading.validators import validate_uscc
from trading.workdays import local_day


class NewAccount(NamedTuple):
    """An account staff create for a recommended person who has none."""

    username: str
    display_name: str
    resident_id: str
    password: str


def _markets(codes) -> list[Market]:
    codes = sorted(set(codes or ()))
    markets = list(Market.objects.filter(code__in=codes))
    if len(markets) != len(codes):
        raise RegistryError(Code.MARKET_UNKNOWN, _("Name known markets, or none to watch every market."))
    return markets


def _employer(employer_id: int | None) -> Organisation | None:
    if employer_id is None:
        return None
    employer = Organisation.objects.filter(pk=employer_id).first()
    if employer is None:
        raise RegistryError(Code.EMPLOYER_UNKNOWN, _("There is no such organisation on the platform."))
    return employer


def _person_check(user: User) -> None:
    if not user.resident_id:
        raise RegistryError(Code.RESIDENT_ID_MISSING, _("A social supervisor's account carries their resident ID "
                                                        "number; %(person)s has none.") % {"person": user})
    if Supervisor.objects.filter(user=user).exists():
        raise RegistryError(Code.ALREADY_REGISTERED, _("%(person)s is in the registry already.") % {"person": user},
                            status=409)


def _account_create(account: NewAccount, *, actor: str) -> User:
    try:
        validate_password(account.password)
    except ValidationError as error:
        raise RegistryError(Code.PASSWORD_WEAK, error.messages[0]) from None
    return user_create(username=account.username.strip(), password=account.password, roles=[], actor=actor,
                       display_name=account.display_name.strip(), resident_id=account.resident_id.strip().upper())


def _entry_create(*, user: User, actor: str, markets: list[Market], employer: Organisation | None,
                  employer_name: str, **fields) -> Supervisor:
    User.objects.select_for_update().filter(pk=user.pk).first()
    _person_check(user)
    supervisor = Supervisor.objects.create(user=user, employer=employer, employer_name=employer_name.strip(),
                                           recommended_at=clock.now(), recommended_by=actor, **fields)
    supervisor.markets.set(markets)
    status_move(supervisor, None, reason="", actor=actor, kind="supervisor.recommended", created=True,
                data={"self_nominated": supervisor.self_nominated, "unit": supervisor.unit_name,
                      "markets": [m.code for m in markets]})
    return supervisor


def supervisor_recommend(*, by: User, unit_name: str, unit_uscc: str, letter: Upload | None,
                         user: User | None = None, account: NewAccount | None = None, employer_name: str = "",
                         employer_id: int | None = None, market_codes=()) -> Supervisor:
    """Staff enter a unit's recommendation: the unit's name and unified social credit code, its
    letter (a PDF kept in the object store), and the person (``user``, or a new ``account``)."""
    actor = staff_check(by, subject="supervisor:new")
    unit_name, unit_uscc = (unit_name or "").strip(), (unit_uscc or "").strip().upper()
    if not unit_name:
        raise RegistryError(Code.UNIT_MISSING, _("Name the recommending unit."))
    try:
        validate_uscc(unit_uscc)
    except ValidationError as error:
        raise RegistryError(Code.UNIT_USCC_INVALID, error.messages[0]) from None
    if (user is None) == (account is None):
        raise RegistryError(Code.ACCOUNT_MISSING, _("Name the person's account, or give the particulars of a new "
                                                    "one."))
    if user is not None:
        _person_check(user)
    markets, employer = _markets(market_codes), _employer(employer_id)
    letter_key, letter_sha256 = pdf_store(letter, folder="supervisors/letters", what=_("The recommendation letter"))
    with transaction.atomic():
        person = user if user is not None else _account_create(account, actor=actor)
        return _entry_create(user=person, actor=actor, markets=markets, employer=employer,
                             employer_name=employer_name, unit_name=unit_name, unit_uscc=unit_uscc,
                             letter_key=letter_key, letter_sha256=letter_sha256)


def supervisor_nominate(*, user: User, employer_name: str = "", employer_id: int | None = None,
                        market_codes=()) -> Supervisor:
    """A signed-in person nominates themself; staff vet them like anyone recommended."""
    if user is None or not user.is_authenticated:
        raise RegistryError(Code.ACCOUNT_MISSING, _("Sign in to nominate yourself."), status=403)
    _person_check(user)
    markets, employer = _markets(market_codes), _employer(employer_id)
    with transaction.atomic():
        return _entry_create(user=user, actor=actor_of(user), markets=markets, employer=employer,
                             employer_name=employer_name, self_nominated=True)


def supervisor_vet(*, supervisor_id: int, by: User, notes: str = "") -> Supervisor:
    """Staff's check of a candidate. Refused (and audited) while an employer is a tenderee or bidder
    active in a market they would watch, or the person has a penalty on record."""
    actor = staff_on(by, supervisor_id)
    notes = reason_text(notes, required=False)
    supervisor = Supervisor.objects.select_related("user").filter(pk=supervisor_id).first()
    grounds = vetting_grounds(supervisor=supervisor, today=local_day(clock.now())) if supervisor else []
    if "employer_party" in grounds:
        refuse(Code.VETTING_EMPLOYER, _("%(person)s works for a tenderee or a bidder active in the markets they "
                                        "would watch.") % {"person": supervisor},
               actor=actor, subject=subject_of(supervisor_id), status=409)
    if "penalty" in grounds:
        refuse(Code.VETTING_PENALTY, _("%(person)s has a penalty on record.") % {"person": supervisor},
               actor=actor, subject=subject_of(supervisor_id), status=409)
    with transaction.atomic():
        supervisor = supervisor_lock(supervisor_id)
        supervisor.vetted_at, supervisor.vetted_by, supervisor.vetting_notes = clock.now(), actor, notes
        status_move(supervisor, "vet", reason=notes, actor=actor, kind="supervisor.vetted")
    return supervisor


def _term(supervisor: Supervisor, start: date | None, end: date | None) -> tuple[date, date]:
    """The term from ``start`` (today if not given) to ``end`` (the rule table's term if not given),
    never longer than the rule allows."""
    start = start or local_day(clock.now())
    longest = start + timedelta(days=term_days(supervisor))
    end = end or longest
    if not start < end <= longest:
        raise RegistryError(Code.TERM_INVALID, _("A term ends after it starts and lasts at most %(days)s days.")
                            % {"days": term_days(supervisor)})
    return start, end


def supervisor_appoint(*, supervisor_id: int, by: User, agreement_signed_on: date, agreement: Upload | None,
                       term_start: date | None = None, term_end: date | None = None) -> Supervisor:
    """The agreement is signed: its date and PDF, the term, and the supervisor role granted by the
    member of staff who appoints. The pledge and the certificate follow, by the supervisor."""
    actor = staff_on(by, supervisor_id)
    if agreement_signed_on is None or agreement_signed_on > local_day(clock.now()):
        raise RegistryError(Code.TERM_INVALID, _("Give the date the agreement was signed; it is not in the future."))
    key, sha256 = pdf_store(agreement, folder=f"supervisors/{supervisor_id}/agreement", what=_("The signed agreement"))
    with transaction.atomic():
        supervisor = supervisor_lock(supervisor_id)
        if supervisor.status != Supervisor.Status.VETTED:  # an expired term is renewed instead
            raise status_refusal(supervisor)
        start, end = _term(supervisor, term_start, term_end)
        supervisor.agreement_signed_on, supervisor.agreement_key, supervisor.agreement_sha256 = (
            agreement_signed_on, key, sha256)
        supervisor.term_start, supervisor.term_end, supervisor.term_notice_at = start, end, None
        status_move(supervisor, "appoint", reason="", actor=actor, kind="supervisor.appointed",
                    data={"agreement_sha256": sha256, "term_start": start.isoformat(), "term_end": end.isoformat()})
        role_give(supervisor, by=by, reason=str(_("Appointed a social supervisor (registry no. %(pk)s).")
                                                  % {"pk": supervisor.pk}))
    return supervisor


def _certificate_number(year: int) -> str:
    prefix = f"{rules.CERTIFICATE_PREFIX}-{year}-"
    return rules.certificate_number(year=year, sequence=Supervisor.objects.filter(
        certificate_number__startswith=prefix).count() + 1)


def supervisor_pledge_accept(*, supervisor_id: int, user: User) -> Supervisor:
    """The supervisor themself accepts the duties and integrity pledge shown to them; the
    certificate number (SJ-<year>-<sequence>) is issued and the certificate PDF stored."""
    if not Supervisor.objects.filter(pk=supervisor_id, user_id=getattr(user, "pk", None)).exists():
        refuse(Code.NOT_YOURS, _("Only the supervisor themself accepts their pledge."), actor=actor_of(user),
               subject=subject_of(supervisor_id))
    attempts = 3  # two pledges at once may take the same sequence number: the later one retries
    while True:
        attempts -= 1
        try:
            with transaction.atomic():
                return _pledge(supervisor_id, actor=actor_of(user))
        except IntegrityError:
            if not attempts:
                raise


def _pledge(supervisor_id: int, *, actor: str) -> Supervisor:
    supervisor = supervisor_lock(supervisor_id)
    if supervisor.status != Supervisor.Status.APPOINTED:
        raise RegistryError(Code.STATUS, _("The pledge is accepted once you are appointed."), status=409)
    if supervisor.pledge_accepted_at is not None:
        raise RegistryError(Code.PLEDGE_DONE, _("You accepted the pledge already: your certificate is %(number)s.")
                            % {"number": supervisor.certificate_number}, status=409)
    now = clock.now()
    supervisor.pledge_accepted_at = now
    supervisor.certificate_number = _certificate_number(local_day(now).year)
    supervisor.save(update_fields=["pledge_accepted_at", "certificate_number"])
    supervisor.certificate_key = certificate_store(supervisor)
    reason = str(_("Duties and integrity pledge accepted; certificate %(number)s.")
                 % {"number": supervisor.certificate_number})
    status_move(supervisor, None, reason=reason, actor=actor, kind="supervisor.pledge_accepted",
                data={"pledge": rules.PLEDGE_VERSION, "certificate": supervisor.certificate_number})
    return supervisor


def supervisor_suspend(*, supervisor_id: int, by: User, reason: str) -> Supervisor:
    """No draws while suspended; the seats held stay (staff revoke them on the lot if need be)."""
    actor, reason = staff_on(by, supervisor_id), reason_text(reason)
    with transaction.atomic():
        supervisor = supervisor_lock(supervisor_id)
        status_move(supervisor, "suspend", reason=reason, actor=actor, kind="supervisor.suspended")
    return supervisor


def supervisor_reinstate(*, supervisor_id: int, by: User, reason: str) -> Supervisor:
    actor, reason = staff_on(by, supervisor_id), reason_text(reason)
    with transaction.atomic():
        supervisor = supervisor_lock(supervisor_id)
        status_move(supervisor, "reinstate", reason=reason, actor=actor, kind="supervisor.reinstated")
    return supervisor


def dismiss_locked(supervisor: Supervisor, *, by: User, actor: str, reason: str) -> None:
    """Dismiss: the role is revoked and every seat held is revoked. Caller holds ``lock_for_seats``."""
    status_move(supervisor, "dismiss", reason=reason, actor=actor, kind="supervisor.dismissed")
    role_take(supervisor, reason=reason, by=by)
    now = clock.now()
    for seat in Assignment.objects.select_for_update().filter(supervisor_id=supervisor.user_id,
                                                              revoked_at__isnull=True):
        seat.revoked_at, seat.revoked_by = now, actor
        seat.save(update_fields=["revoked_at", "revoked_by"])
        record(kind="supervision.revoked", actor=actor, subject=f"assignment:{seat.pk}",
               data={"lot": seat.lot_id, "supervisor": supervisor.user_id, "reason": "dismissed"})
    access_changed(supervisor.user_id)


def supervisor_dismiss(*, supervisor_id: int, by: User, reason: str) -> Supervisor:
    """Final: a candidate turned down, or accountability."""
    actor, reason = staff_on(by, supervisor_id), reason_text(reason)
    with transaction.atomic():
        supervisor = lock_for_seats(supervisor_id)
        dismiss_locked(supervisor, by=by, actor=actor, reason=reason)
    return supervisor


def supervisor_renew(*, supervisor_id: int, by: User, reason: str = "") -> Supervisor:
    """A new term in one action: an appointed supervisor's term continues from the day after it ends;
    an expired one is appointed again from today (the role granted again). The agreement, pledge and
    certificate stand."""
    actor, reason = staff_on(by, supervisor_id), reason_text(reason, required=False)
    with transaction.atomic():
        supervisor = supervisor_lock(supervisor_id)
        today = local_day(clock.now())
        if supervisor.status == Supervisor.Status.APPOINTED:  # the term runs on for one more term
            next_start, transition = max(supervisor.term_end + timedelta(days=1), today), None
        elif supervisor.status == Supervisor.Status.EXPIRED:
            next_start, transition = today, "appoint"
        else:
            raise status_refusal(supervisor)
        next_start, end = _term(supervisor, next_start, None)
        start = supervisor.term_start if transition is None else next_start
        supervisor.term_start, supervisor.term_end, supervisor.term_notice_at = start, end, None
        status_move(supervisor, transition, reason=reason, actor=actor, kind="supervisor.renewed",
                    data={"term_start": start.isoformat(), "term_end": end.isoformat()})
        role_give(supervisor, by=by, reason=str(_("Term renewed (registry no. %(pk)s).") % {"pk": supervisor.pk}))
    return supervisor

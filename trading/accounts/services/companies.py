"""Companies that sign themselves up, staff's review of them, and the company administrator's people.

A sign-up makes a ``pending`` company, its contact person (no roles yet) and a ``sign_up`` review;
the contact proves their address with a signed link. Staff approve the sign-up once the address is
proven, and the contact then gets the bidder and company-administrator roles through the one roles
service; a refused company corrects its particulars and asks again. Later changes of name, legal
representative or business licence are reviewed the same way, one at a time, and the approved ones
are the company's history. A company administrator adds and removes the company's people.

Every refusal is an ``AccountError`` with a stable code raised before any row is written (the
business licence may already be stored under its content's key; an unreferenced object harms
nobody). Each change is an event on the audit chain under ``organisation:<pk>``; resident ID
numbers and addresses stay out of the events.
"""
import hashlib
import io
import os
from datetime import timedelta
from typing import BinaryIO, NamedTuple

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from monitoring.events import actor_of, record
from trading import clock
from trading.accounts.services.roles import REASON_MAX, role_grant, role_revoke
from trading.errors import AccountError
from trading.models import Organisation, OrganisationChange, Role, User
from trading.services.notifications import notify
from trading.storage import get_storage
from trading.validators import validate_uscc

LICENCE_MAX_BYTES = 10 * 1024 * 1024
# The formats a scanned or downloaded business licence comes in, told by their first bytes rather
# than by the name or the browser's claim.
LICENCE_TYPES = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
                 (b"\x89PNG\r\n\x1a\n", "image/png", "png"))
LICENCE_NAME_MAX = OrganisationChange._meta.get_field("licence_name").max_length
EMAIL_SALT = "trading.accounts.email-verify"
PARTICULARS = ("name", "legal_representative", "licence_key", "licence_name", "licence_sha256")
COMPANY_ROLES = (Role.BIDDER, Role.COMPANY_ADMIN)


class LicenceUpload(NamedTuple):
    """A business licence as the page or the API received it."""

    stream: BinaryIO
    name: str
    length: int | None


class _Licence(NamedTuple):
    data: bytes
    name: str
    content_type: str
    sha256: str


def _invalid(error: ValidationError, *, prefix: str = "") -> AccountError:
    """Input that breaks a model's rule: 400 with the first broken rule's code, fields named as the
    caller's form names them."""
    refused = AccountError.from_validation(error)
    refused.status = 400
    refused.fields = {f"{prefix}{field}": messages for field, messages in refused.fields.items()}
    return refused


def _text(value: str, *, code: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise AccountError(code, message, status=400)
    return value


def _licence_read(licence: LicenceUpload | None) -> _Licence:
    """Check the upload before anything is stored. At most ten megabytes, read into memory: the
    object's key is its SHA-256, known only once every byte is in."""
    if licence is None or licence.stream is None:
        raise AccountError("licence_missing", _("Attach the business licence (PDF, JPEG or PNG)."), status=400)
    too_large = AccountError("licence_too_large", _("The business licence file is larger than %(mb)d MB: scan it "
                                                    "at a lower resolution.") % {"mb": LICENCE_MAX_BYTES >> 20},
                             status=400)
    if licence.length is not None and licence.length > LICENCE_MAX_BYTES:
        raise too_large
    data = licence.stream.read(LICENCE_MAX_BYTES + 1)
    if len(data) > LICENCE_MAX_BYTES:
        raise too_large
    if not data:
        raise AccountError("licence_missing", _("The business licence file is empty."), status=400)
    for magic, content_type, extension in LICENCE_TYPES:
        if data.startswith(magic):
            break
    else:
        raise AccountError("licence_type", _("The business licence must be a PDF, JPEG or PNG file."), status=400)
    name = os.path.basename((licence.name or "").replace("\\", "/")).strip()
    if len(name) > LICENCE_NAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:LICENCE_NAME_MAX - len(suffix) - 1] + dot + suffix) if dot else name[:LICENCE_NAME_MAX]
    return _Licence(data=data, name=name or f"licence.{extension}", content_type=content_type,
                    sha256=hashlib.sha256(data).hexdigest())


def _licence_put(licence: _Licence, *, uscc: str) -> dict:
    key = f"organisations/{uscc}/licence/{licence.sha256}"
    get_storage().put(key, io.BytesIO(licence.data), length=len(licence.data), content_type=licence.content_type)
    return {"licence_key": key, "licence_name": licence.name, "licence_sha256": licence.sha256}


def _particulars(organisation: Organisation) -> dict:
    return {field: getattr(organisation, field) for field in PARTICULARS}


def _person_check(*, username: str, display_name: str, resident_id: str, email: str, password: str,
                  prefix: str = "") -> User:
    """A new account checked whole (unsaved): its own rules, one account per resident ID, and the
    password validators of the settings."""
    resident_id = (resident_id or "").strip().upper()
    person = User(username=(username or "").strip(), display_name=(display_name or "").strip(),
                  email=(email or "").strip(), resident_id=resident_id or None)
    _text(person.email, code="email_missing", message=_("Give an email address: a link to confirm it is sent there."))
    _text(resident_id, code="resident_id_missing", message=_("Give the person's resident ID number."))
    if User.objects.filter(username=person.username).exists():
        raise AccountError("username_taken", _("The username “%(username)s” is taken: choose another.")
                           % {"username": person.username}, status=409, fields={f"{prefix}username": []})
    if User.objects.filter(resident_id=resident_id).exists():
        raise AccountError("resident_id_taken", _("This resident ID number already belongs to an account on the "
                                                  "platform: a person has one account and acts for one company. "
                                                  "Sign in with that account, or ask the centre for help."),
                           status=409, fields={f"{prefix}resident_id": []})
    try:
        person.full_clean(exclude=["password", "organisation"])
    except ValidationError as error:
        raise _invalid(error, prefix=prefix) from None
    try:
        validate_password(password or "", user=person)
    except ValidationError as error:
        raise AccountError("weak_password", " ".join(error.messages), status=400,
                           fields={"password": error.messages}) from None
    person.set_password(password)
    return person


def _verification_mail(user: User, *, base_url: str) -> None:
    """After commit, mail ``user`` a signed link that proves the address; it holds
    ``PLATFORM_EMAIL_LINK_HOURS``. Robust: a mail server that fails leaves the sign-up standing, and
    the person asks for a new link."""
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_SALT)
    link = base_url.rstrip("/") + reverse("email-verify", args=[token])
    params = {"name": user.display_name or user.username, "link": link, "hours": settings.PLATFORM_EMAIL_LINK_HOURS}
    parts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append(_("Hello %(name)s,\n\nopen this link to confirm your email address on the trading "
                           "platform (it holds %(hours)s hours):\n\n%(link)s\n\nIf you did not sign up, ignore "
                           "this message.") % params)
    with translation.override("zh-hans"):
        subject = _("Confirm your email address")
    transaction.on_commit(lambda: send_mail(subject, "\n\n—\n\n".join(parts), settings.DEFAULT_FROM_EMAIL,
                                            [user.email]), robust=True)


def company_sign_up(*, uscc: str, name: str, legal_representative: str, licence: LicenceUpload | None,
                    contact_username: str, contact_display_name: str, contact_resident_id: str, contact_email: str,
                    password: str, base_url: str = "") -> OrganisationChange:
    """A company asks to take part: the company (pending), its contact person and the review staff
    will decide. ``base_url`` (scheme and host) starts the link in the address-check mail."""
    uscc = (uscc or "").strip().upper()
    _text(uscc, code="uscc_missing", message=_("Give the company's unified social credit code."))
    try:
        validate_uscc(uscc)
    except ValidationError as error:
        raise _invalid(ValidationError({"uscc": error})) from None
    if Organisation.objects.filter(uscc=uscc).exists():
        raise AccountError("uscc_taken", _("A company with the unified social credit code %(uscc)s is already "
                                           "registered on the platform.") % {"uscc": uscc}, status=409,
                           fields={"uscc": []})
    organisation = Organisation(
        uscc=uscc, kind=Organisation.Kind.BIDDER, status=Organisation.Status.PENDING,
        name=_text(name, code="name_missing", message=_("Give the company's name.")),
        legal_representative=_text(legal_representative, code="legal_representative_missing",
                                   message=_("Give the name of the company's legal representative.")))
    try:
        organisation.full_clean(exclude=["uscc", *PARTICULARS[2:]])
    except ValidationError as error:
        raise _invalid(error) from None
    contact = _person_check(username=contact_username, display_name=contact_display_name,
                            resident_id=contact_resident_id, email=contact_email, password=password,
                            prefix="contact_")
    for field, value in _licence_put(_licence_read(licence), uscc=uscc).items():
        setattr(organisation, field, value)
    try:
        with transaction.atomic():
            organisation.save()
            contact.organisation = organisation
            contact.save()
            change = OrganisationChange.objects.create(
                organisation=organisation, kind=OrganisationChange.Kind.SIGN_UP, submitted_by=contact,
                submitted_at=clock.now(), **{field: getattr(organisation, field) for field in PARTICULARS})
            record(kind="company.signed_up", actor=actor_of(contact), subject=f"organisation:{organisation.pk}",
                   data={"change": change.pk, "name": organisation.name, "uscc": uscc,
                         "legal_representative": organisation.legal_representative,
                         "licence_sha256": organisation.licence_sha256, "contact": contact.pk,
                         "contact_username": contact.username})
            _verification_mail(contact, base_url=base_url)
    except IntegrityError:  # another sign-up took the code, username or resident ID in between
        raise AccountError("sign_up_conflict", _("This company or person was registered a moment ago: check the "
                                                 "details and try again."), status=409) from None
    return change


def email_verification_send(*, user: User, base_url: str = "") -> None:
    """Send a fresh address-check link, when the first one expired or went astray."""
    if not user.email:
        raise AccountError("email_missing", _("Your account has no email address."), status=400)
    if user.email_verified_at is not None:
        raise AccountError("email_verified", _("Your email address is already confirmed."), status=409)
    with transaction.atomic():
        _verification_mail(user, base_url=base_url)


def email_verify(*, token: str) -> User:
    """The person opened the link of the address-check mail. Opening it again changes nothing."""
    try:
        payload = signing.loads(token, salt=EMAIL_SALT,
                                max_age=timedelta(hours=settings.PLATFORM_EMAIL_LINK_HOURS))
    except signing.SignatureExpired:
        raise AccountError("link_expired", _("This link has expired. Sign in and ask for a new one on your "
                                             "company's page."), status=410) from None
    except signing.BadSignature:
        raise AccountError("link_invalid", _("This link is not valid: open the link exactly as the mail gives "
                                             "it."), status=400) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=payload.get("user"), is_active=True).first()
        if user is None or user.email != payload.get("email"):
            raise AccountError("link_invalid", _("This link is not valid any more: the account or its address "
                                                 "changed."), status=400)
        if user.email_verified_at is None:
            user.email_verified_at = clock.now()
            user.save(update_fields=["email_verified_at"])
            record(kind="user.email_verified", actor=actor_of(user), subject=f"user:{user.pk}", data={})
    return user


def company_review(*, change_id: int, reviewer: User, approve: bool, reason: str = "") -> OrganisationChange:
    """Staff's decision on a sign-up or a change of particulars; a refusal says why, and the person
    who asked is told either way."""
    actor = actor_of(reviewer)
    if not reviewer.has_role(Role.STAFF):
        raise AccountError("not_staff", _("Only the trading centre's staff review companies."))
    change = OrganisationChange.objects.select_related("submitted_by").filter(pk=change_id).first()
    if change is None:
        raise AccountError("change_missing", _("No such company review."), status=404)
    if reviewer.organisation_id is not None and reviewer.organisation_id == change.organisation_id:
        raise AccountError("reviewer_member", _("You belong to this company: another member of staff reviews it."))
    reason = (reason or "").strip()[:REASON_MAX]
    if not approve and not reason:
        raise AccountError("reason_missing", _("Say why the company's request is refused: the company reads it."),
                           status=400)
    asker = change.submitted_by  # of a sign-up, its contact person
    sign_up = change.kind == OrganisationChange.Kind.SIGN_UP
    if approve and sign_up and asker.email_verified_at is None:
        raise AccountError("email_not_verified", _("The contact person has not confirmed their email address yet: "
                                                   "approve the sign-up once they have."), status=409)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=change.organisation_id)
        change = OrganisationChange.objects.select_for_update().get(pk=change_id)
        if change.status != OrganisationChange.Status.PENDING:
            raise AccountError("change_decided", _("This request was already decided."), status=409)
        if approve:
            change.approve()
        else:
            change.refuse()
        change.reviewed_by, change.reviewed_at, change.reason = actor, clock.now(), reason
        change.save()
        if sign_up and approve:
            organisation.approve()
        elif sign_up:
            organisation.refuse()
        elif approve:
            for field in PARTICULARS:
                setattr(organisation, field, getattr(change, field))
        organisation.save()
        if sign_up and approve:
            asker.organisation = organisation
            for role in COMPANY_ROLES:
                role_grant(user=asker, role=role, grantor=reviewer,
                           reason=_("The company's sign-up was approved (review %(n)s).") % {"n": change.pk})
        kind = {(True, True): "company.approved", (True, False): "company.refused",
                (False, True): "company.change_approved", (False, False): "company.change_refused"}[sign_up, approve]
        record(kind=kind, actor=actor, subject=f"organisation:{organisation.pk}",
               data={"change": change.pk, "reason": reason, "name": organisation.name})
        titles = {"company.approved": gettext_lazy("%(company)s is approved: you may now register for lots"),
                  "company.refused": gettext_lazy("The sign-up of %(company)s was refused"),
                  "company.change_approved": gettext_lazy("The change of particulars of %(company)s is approved"),
                  "company.change_refused": gettext_lazy("The change of particulars of %(company)s was refused")}
        notify(user=asker, kind=kind, title=titles[kind], body=gettext_lazy("Reason: %(reason)s"),
               params={"company": organisation.name, "reason": reason or "-"}, link=reverse("company-mine"))
    return change


def _company_request(*, organisation: Organisation, user: User, kind: str, name: str | None,
                     legal_representative: str | None, licence: LicenceUpload | None) -> OrganisationChange:
    """A new review of the company's particulars: what is not given stays as it is."""
    proposed = _particulars(organisation)
    if name is not None:
        proposed["name"] = _text(name, code="name_missing", message=_("Give the company's name."))
    if legal_representative is not None:
        proposed["legal_representative"] = _text(legal_representative, code="legal_representative_missing",
                                                  message=_("Give the name of the company's legal representative."))
    for field in ("name", "legal_representative"):
        limit = OrganisationChange._meta.get_field(field).max_length
        if len(proposed[field]) > limit:
            raise AccountError(f"{field}_too_long", _("At most %(n)d characters.") % {"n": limit}, status=400,
                               fields={field: []})
    pending = AccountError("change_pending", _("A request of this company already awaits review: wait for the "
                                               "decision."), status=409)
    if organisation.changes.filter(status=OrganisationChange.Status.PENDING).exists():
        raise pending
    if licence is not None:
        proposed.update(_licence_put(_licence_read(licence), uscc=organisation.uscc))
    if kind == OrganisationChange.Kind.CHANGE and proposed == _particulars(organisation):
        raise AccountError("change_empty", _("Nothing differs from the company's present particulars."), status=400)
    try:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
            previous = _particulars(locked)
            if kind == OrganisationChange.Kind.SIGN_UP:
                if locked.status != Organisation.Status.REFUSED:
                    raise AccountError("company_not_refused", _("Only a refused sign-up is submitted again."),
                                       status=409)
                locked.resubmit()
                for field, value in proposed.items():
                    setattr(locked, field, value)
                locked.save()
            change = OrganisationChange.objects.create(organisation=locked, kind=kind, submitted_by=user,
                                                       submitted_at=clock.now(), previous=previous, **proposed)
            record(kind="company.resubmitted" if kind == OrganisationChange.Kind.SIGN_UP
                   else "company.change_requested", actor=actor_of(user), subject=f"organisation:{locked.pk}",
                   data={"change": change.pk, "name": change.name, "legal_representative": change.legal_representative,
                         "licence_sha256": change.licence_sha256})
    except IntegrityError:  # the one-pending-review constraint: another request came in between
        raise pending from None
    organisation.refresh_from_db()
    return change


def company_change_request(*, organisation: Organisation, user: User, name: str | None = None,
                           legal_representative: str | None = None,
                           licence: LicenceUpload | None = None) -> OrganisationChange:
    """The company administrator asks to change the name, the legal representative or the licence;
    staff review it, and until then the company keeps its present particulars."""
    _admin_check(user, organisation=organisation)
    return _company_request(organisation=organisation, user=user, kind=OrganisationChange.Kind.CHANGE, name=name,
                            legal_representative=legal_representative, licence=licence)


def company_resubmit(*, organisation: Organisation, user: User, name: str | None = None,
                     legal_representative: str | None = None,
                     licence: LicenceUpload | None = None) -> OrganisationChange:
    """A refused company corrects its sign-up and asks again."""
    if user.organisation_id != organisation.pk:
        raise AccountError("not_company_member", _("Only the company's own people submit its sign-up again."))
    if organisation.status != Organisation.Status.REFUSED:
        raise AccountError("company_not_refused", _("Only a refused sign-up is submitted again."), status=409)
    return _company_request(organisation=organisation, user=user, kind=OrganisationChange.Kind.SIGN_UP, name=name,
                            legal_representative=legal_representative, licence=licence)


def _admin_check(admin: User, *, organisation: Organisation | None = None) -> Organisation:
    """The company administrator's own, approved company."""
    if not admin.has_role(Role.COMPANY_ADMIN) or admin.organisation_id is None:
        raise AccountError("not_company_admin", _("Only the company's administrator does this."))
    if organisation is not None and organisation.pk != admin.organisation_id:
        raise AccountError("not_company_admin", _("A company administrator manages their own company only."))
    organisation = admin.organisation
    if organisation.status != Organisation.Status.APPROVED:
        raise AccountError("company_not_approved", _("The company is not approved."))
    return organisation


def company_user_add(*, admin: User, username: str, display_name: str, resident_id: str, email: str, password: str,
                     company_admin: bool = False, base_url: str = "") -> User:
    """A new person of the administrator's company, a bidder at once (and an administrator too when
    asked), who confirms their address with the link mailed to them."""
    organisation = _admin_check(admin)
    person = _person_check(username=username, display_name=display_name, resident_id=resident_id, email=email,
                           password=password)
    person.organisation = organisation
    roles = COMPANY_ROLES if company_admin else (Role.BIDDER,)
    try:
        with transaction.atomic():
            person.save()
            for role in roles:
                role_grant(user=person, role=role, grantor=admin,
                           reason=_("Added to %(company)s by its administrator.") % {"company": organisation.name})
            record(kind="company.user_added", actor=actor_of(admin), subject=f"organisation:{organisation.pk}",
                   data={"user": person.pk, "username": person.username, "roles": sorted(roles)})
            _verification_mail(person, base_url=base_url)
    except IntegrityError:
        raise AccountError("sign_up_conflict", _("This person was registered a moment ago: check the details and "
                                                 "try again."), status=409) from None
    return person


def company_user_remove(*, admin: User, user: User, reason: str = "") -> User:
    """Take a person out of the company: their company roles are revoked, the account is closed
    (Django refuses inactive accounts, so their sessions end at once) and their API tokens go."""
    organisation = _admin_check(admin)
    if user.organisation_id != organisation.pk:
        raise AccountError("not_company_member", _("This person is not one of your company's people."), status=404)
    if user.pk == admin.pk:
        raise AccountError("self_remove", _("You cannot remove yourself: another administrator of the company "
                                            "does it."))
    if not user.is_active:
        raise AccountError("user_removed", _("This person was already removed."), status=409)
    reason = (reason or "").strip()[:REASON_MAX] or _("Removed from %(company)s by its administrator.") % {
        "company": organisation.name}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for role in sorted(user.role_set & set(COMPANY_ROLES)):
            role_revoke(user=user, role=role, reason=reason, grantor=admin)
        user.is_active = False
        user.save(update_fields=["is_active"])
        Token.objects.filter(user=user).delete()
        record(kind="company.user_removed", actor=actor_of(admin), subject=f"organisation:{organisation.pk}",
               data={"user": user.pk, "username": user.username, "reason": reason})
    return user

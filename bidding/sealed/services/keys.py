"""Custodians' keys, and the opening key a lot gets at publication.

Publishing spans both apps (DESIGN §9): ``lot_publish_sealed`` calls trading's ``lot_publish`` and,
in the same transaction, makes the lot's opening key, splits its private half at once k of n and
seals each share to one custodian. The whole private key lives only in this function's memory."""
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bidding.crypto import custodian as custodian_crypto, opening_key as opening_key_crypto, shamir
from bidding.errors import BiddingError
from bidding.sealed.models import CustodianKey, KeyShare, OpeningKey
from monitoring.events import record
from trading import clock
from trading.models import Announcement, Organisation, Role, User
from trading.services.lots import lot_publish

PASSPHRASE_MIN = 12


def custodian_key_create(*, user: User, passphrase: str) -> CustodianKey:
    """Make a custodian's key pair; the private half is stored only wrapped under the passphrase,
    which is used here and forgotten."""
    if not user.has_role(Role.CUSTODIAN):
        raise BiddingError("not_custodian", _("Only key custodians hold opening-key shares."), status=403)
    if len(passphrase) < PASSPHRASE_MIN:
        raise BiddingError("passphrase_too_short",
                           _("A passphrase has at least %(n)d characters.") % {"n": PASSPHRASE_MIN})
    public_pem, wrapped = custodian_crypto.custodian_key_create(passphrase)
    with transaction.atomic():
        if CustodianKey.objects.select_for_update().filter(user=user).exists():
            raise BiddingError("custodian_key_exists",
                               _("You already have a custodian key; it cannot be replaced while shares are sealed to it."),
                               status=409)
        key = CustodianKey.objects.create(user=user, public_key_pem=public_pem, wrapped_private_key=wrapped,
                                          created_at=clock.now())
        record(kind="custodian.key_created", actor=f"user:{user.pk}", subject=f"user:{user.pk}",
               data={"public_key_pem": public_pem})
    return key


def _custodians_check(custodians: list[User], threshold: int) -> None:
    if len({c.pk for c in custodians}) != len(custodians):
        raise BiddingError("custodian_twice", _("Each custodian holds one share: name each once."))
    if not 2 <= threshold <= len(custodians):
        raise BiddingError("threshold_invalid",
                           _("Opening needs at least 2 shares and no more than there are custodians (%(n)d).")
                           % {"n": len(custodians)})
    missing = [str(c) for c in custodians if not c.has_role(Role.CUSTODIAN) or not hasattr(c, "custodian_key")]
    if missing:
        raise BiddingError("custodian_without_key",
                           _("These people are not custodians with a key yet: %(names)s.")
                           % {"names": ", ".join(missing)})
    company_people = [str(c) for c in custodians
                      if c.has_role(Role.BIDDER) or c.has_role(Role.COMPANY_ADMIN)
                      or (c.organisation_id and c.organisation.kind == Organisation.Kind.BIDDER)]
    if company_people:  # checked when the role is granted too (trading.accounts.services.roles)
        raise BiddingError("custodian_company_user",
                           _("A key custodian is never a company's user: %(names)s.") % {"names": ", ".join(company_people)},
                           status=403)
    if not any(c.has_role(Role.SUPERVISOR) or c.has_role(Role.REGULATOR) for c in custodians):
        raise BiddingError("custodians_need_overseer",
                           _("The custodians must include a supervisor or a regulator, so the centre alone "
                             "cannot open the bids."))


def lot_publish_sealed(*, lot_id: int, title: str, body: str, actor: str, custodian_ids: list[int],
                       threshold: int | None = None) -> Announcement:
    """Publish a lot with its opening key: public half published, private half split k of n."""
    threshold = threshold or settings.PLATFORM_OPENING_THRESHOLD
    custodians = list(User.objects.filter(pk__in=custodian_ids).select_related("custodian_key", "organisation")
                      .prefetch_related("roles"))
    if len(custodians) != len(set(custodian_ids)):
        raise BiddingError("custodian_unknown", _("A chosen custodian does not exist."))
    custodians.sort(key=lambda c: custodian_ids.index(c.pk))
    _custodians_check(custodians, threshold)
    with transaction.atomic():
        announcement = lot_publish(lot_id=lot_id, title=title, body=body, actor=actor)
        private_scalar, public_raw = opening_key_crypto.opening_key_create()
        shares = shamir.split(private_scalar, threshold, len(custodians))
        del private_scalar  # the whole key is not kept past this point; only sealed shares are stored
        opening_key = OpeningKey.objects.create(lot_id=lot_id, public_key_raw=public_raw, threshold=threshold,
                                                created_at=clock.now())
        for custodian, share in zip(custodians, shares):
            KeyShare.objects.create(
                opening_key=opening_key, custodian=custodian, index=share[0],
                sealed_share=custodian_crypto.share_seal(
                    share=share, custodian_public_key=custodian.custodian_key.public_key_pem,
                    platform=settings.PLATFORM_ID, lot=str(lot_id), custodian=str(custodian.pk)),
            )
        record(kind="lot.opening_key_made", actor=actor, subject=f"lot:{lot_id}",
               data={"public_key": opening_key_crypto.b64url(public_raw), "threshold": threshold,
                     "custodians": [c.pk for c in custodians]})
    return announcement

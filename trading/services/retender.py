"""Tendering a failed lot again (重新招标, 招标投标法实施条例 Art 44: a lot with too few bids fails and
may be tendered again; the same holds for one with too few valid bids, an unsold listing, or an
award that no candidate is left to take).

What re-tendering decides (docs/evaluation.md, "Tendering again"):

- **The new lot** is the next lot of the same project, so the market, the procedure and its rule
  table are the failed lot's (the rule table as it stands now). It starts as a **draft** with the
  failed lot's title, estimate, deposit and currency; staff review it, may change anything, and
  submit and publish it as any other lot (its own announcement and, for sealed bids, its own
  opening key).
- **Documents**: the newest version of each of the failed lot's documents is copied, object and
  all, into the new lot as its version 1 (``documents_carry_over``); the failed lot keeps its own.
- **Dates**: the earliest the rule table allows counted from the moment of re-tendering
  (``trading.schedule.schedule_earliest``: the bid-preparation and documents-on-sale periods, or the
  listing notice and period), each on a working day at the time of day the failed lot used.
  Submission and publication check them again at their own moment, naming the earliest lawful
  date, so a lot published days later needs its dates moved on.
- **Registrations and deposits do not carry over**: the new lot is a new procedure with its own
  announcement, open to everyone; the earlier deposits fell due for refund when the lot failed.
- **Who is told**: every organisation that registered for the failed lot, whatever became of its
  registration (one refused at pre-qualification may qualify this time), by an event under its
  registration (``registration.retender_notified``, not the lot's: the lot's room does not learn
  who registered) and on its registration page and the lot's page, which link the new lot once it
  is public. The failed lot's own event ``lot.retendered`` names the new lot.
- **Links** both ways: ``Lot.retender_of`` (one-to-one, so a failed lot is tendered again once), on
  both lots' pages, and in open data (the new lot's releases name the failed process with the OCDS
  relationship ``unsuccessfulProcess``).
"""
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import Lot, Registration
from trading.schedule import schedule_earliest
from trading.services.documents import documents_carry_over, documents_discard
from trading.services.lots import lot_create
from trading.services.moves import lot_lock


def lot_retender(*, lot_id: int, actor: str) -> Lot:
    """Make the lot that tenders the failed lot ``lot_id`` again, as a draft (see the module's
    docstring for what is carried over, which dates, and who is told). Refused, changing nothing,
    for a lot that has not failed (``retender_not_failed``) or was tendered again already
    (``already_retendered``)."""
    now = clock.now()
    documents = []
    try:
        with transaction.atomic():
            failed = lot_lock(lot_id)
            if failed.status != Lot.Status.FAILED:
                raise TradingError(
                    "retender_not_failed",
                    _("Only a failed lot can be tendered again; this one is “%(status)s”.")
                    % {"status": Lot.Status(failed.status).label}, status=409)
            again = Lot.objects.filter(retender_of=failed).first()
            if again is not None:
                raise TradingError("already_retendered", _("This lot is already tendered again as %(code)s.")
                                   % {"code": again.code}, status=409)
            # A second re-tender waits for the lock above and then finds this one.
            lot = lot_create(project=failed.project, title=failed.title, estimate=failed.estimate,
                             deposit=failed.deposit, currency=failed.currency, actor=actor, retender_of=failed,
                             **schedule_earliest(lot=failed, at=now))
            for registration in Registration.objects.filter(lot=failed).order_by("pk"):
                record(kind="registration.retender_notified", actor=actor, subject=f"registration:{registration.pk}",
                       data={"lot": failed.pk, "organisation": registration.organisation_id,
                             "registration_status": registration.status, "new_lot": lot.pk, "new_lot_code": lot.code})
            record(kind="lot.retendered", actor=actor, subject=f"lot:{failed.pk}",
                   data={"new_lot": lot.pk, "new_lot_code": lot.code})
            # Last, so that only the commit can fail once objects are stored.
            documents = documents_carry_over(source=failed, target=lot, actor=actor)
    except BaseException:
        documents_discard(documents)
        raise
    return lot


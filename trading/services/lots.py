"""Projects and lots: creation, editing in draft, review, publication, amendments, suspension, and
the one sweep that applies every move the clock triggers.

Every move goes through ``trading.services.moves.lot_move``: the caller holds the lot's row lock
inside a transaction; the move writes a status-change row and one audit event there, and the event
is broadcast after commit (``monitoring.events.record``). A move that ends the lot without a deal
(failed, cancelled, terminated) releases the deposits there too, so no service that makes one can
forget them.
"""
import logging
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from monitoring.events import record
from trading import clock
from trading.errors import TradingError
from trading.models import Announcement, Lot, LotHold, Market, Organisation, Procedure, Project
from trading.schedule import ScheduleCheck, amendment_check, deposit_check, publication_check
from trading.selectors_holds import lot_hold_reasons_open
from trading.services.availability import heartbeat_catch_up
from trading.services.extensions import lot_outage_check
from trading.services.holds import lot_hold, lot_hold_release
from trading.services.moves import lot_lock, lot_move
from trading.services_calendar import calendar_provisional_alert

log = logging.getLogger(__name__)

SCHEDULE_FIELDS = ["documents_from", "documents_until", "bidding_opens_at", "bid_deadline", "listing_start",
                   "listing_end", "publicity_end"]
EDITABLE_FIELDS = ["title", "estimate", "deposit", "currency", "appraised_value", *SCHEDULE_FIELDS]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def schedule_refuse(check: ScheduleCheck) -> None:
    """Raise the first broken rule; every message is kept in ``fields`` for forms that show them all."""
    if check.violations:
        first = check.violations[0]
        raise TradingError(first.rule, first.message, fields={v.rule: [str(v.message)] for v in check.violations})


def schedule_alert_provisional(check: ScheduleCheck) -> None:
    for year in sorted(check.provisional_years):
        calendar_provisional_alert(year=year)


@transaction.atomic
def project_create(*, code: str, title: str, market: Market, procedure: Procedure, tenderee: Organisation,
                   actor: str, region: str = "", investment: Decimal | None = None) -> Project:
    """``investment``: the project's total investment where the tenderee states one (项目总投资)."""
    if procedure.market_id != market.pk:
        raise TradingError("procedure_not_of_market",
                           _("The procedure “%(procedure)s” does not belong to the market “%(market)s”.")
                           % {"procedure": procedure.name, "market": market.name})
    if Project.objects.filter(code=code).exists():
        raise TradingError("project_code_taken", _("The project code %(code)s is already used.") % {"code": code})
    if investment is not None and investment <= 0:
        raise TradingError("investment_invalid", _("The total investment must be a positive amount."))
    project = Project.objects.create(code=code, title=title, market=market, procedure=procedure, tenderee=tenderee,
                                     region=region.strip(), investment=investment)
    record(kind="project.created", actor=actor, subject=f"project:{project.pk}",
           data={"code": code, "title": title, "market": market.pk, "procedure": procedure.code,
                 "region": project.region, **({"investment": str(investment)} if investment is not None else {})})
    return project


def _fields_clean(lot: Lot) -> None:
    if lot.estimate is None or lot.estimate <= 0:
        raise TradingError("estimate_invalid", _("The estimate or budget ceiling must be a positive amount."))
    if lot.deposit < 0:
        raise TradingError("deposit_invalid", _("The deposit cannot be negative."))
    if lot.appraised_value is not None and lot.appraised_value <= 0:
        raise TradingError("appraised_value_invalid", _("The appraised value must be a positive amount."))
    if not lot.is_listing and lot.deposit:
        check = ScheduleCheck()
        deposit_check(check, lot=lot)
        schedule_refuse(check)
    pairs = [("documents_from", "documents_until"), ("bidding_opens_at", "bid_deadline"),
             ("listing_start", "listing_end")]
    for start, end in pairs:
        if getattr(lot, start) and getattr(lot, end) and getattr(lot, start) >= getattr(lot, end):
            raise TradingError("schedule_order", _("“%(start)s” must come before “%(end)s”.")
                               % {"start": Lot._meta.get_field(start).verbose_name,
                                  "end": Lot._meta.get_field(end).verbose_name})


@transaction.atomic
def lot_create(*, project: Project, title: str, estimate: Decimal, actor: str, deposit: Decimal = Decimal(0),
               currency: str = "CNY", number: int | None = None, retender_of: Lot | None = None,
               appraised_value: Decimal | None = None, **schedule) -> Lot:
    """A draft lot of ``project``; ``retender_of`` is the failed lot it tenders again (callers go
    through ``trading.services.retender.lot_retender``); ``appraised_value`` the assets' appraisal
    (评估值) where a sale has one."""
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"not schedule fields: {sorted(unknown)}")
    number = number or (project.lots.count() + 1)
    if project.lots.filter(number=number).exists():
        raise TradingError("lot_number_taken", _("Lot %(n)s already exists in this project.") % {"n": number})
    lot = Lot(project=project, number=number, title=title, estimate=estimate, deposit=deposit, currency=currency,
              retender_of=retender_of, appraised_value=appraised_value, **schedule)
    _fields_clean(lot)
    lot.save()
    record(kind="lot.created", actor=actor, subject=f"lot:{lot.pk}",
           data={"project": project.code, "number": number, "title": title, "estimate": str(estimate),
                 "deposit": str(deposit), **{k: _iso(v) for k, v in schedule.items()},
                 **({"appraised_value": str(appraised_value)} if appraised_value is not None else {}),
                 **({"retender_of": retender_of.pk} if retender_of else {})})
    return lot


def lot_update(*, lot_id: int, actor: str, **fields) -> Lot:
    """Change a lot while it is a draft; once submitted, only amendments change it."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.DRAFT:
            raise TradingError("lot_not_draft", _("Only a draft lot can be edited; publish an amendment instead."),
                               status=409)
        for name, value in fields.items():
            setattr(lot, name, value)
        _fields_clean(lot)
        lot.save()
        record(kind="lot.updated", actor=actor, subject=f"lot:{lot.pk}",
               data={k: (_iso(v) if k in SCHEDULE_FIELDS else str(v)) for k, v in fields.items()})
    return lot


def lot_submit(*, lot_id: int, actor: str) -> Lot:
    """Draft → pending review. The schedule is checked as if published now, so problems show early."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        schedule_refuse(publication_check(lot=lot, at=clock.now()))
        return lot_move(lot, "submit_for_review", actor=actor)


def lot_return(*, lot_id: int, reason: str, actor: str) -> Lot:
    if not reason.strip():
        raise TradingError("reason_required", _("Say why the lot goes back to its author."))
    with transaction.atomic():
        return lot_move(lot_lock(lot_id), "return_to_draft", actor=actor, data={"reason": reason})


def lot_publish(*, lot_id: int, title: str, body: str, actor: str) -> Announcement:
    """Pending review → published, with its tender or listing announcement, under the rule table.

    Documents go on sale and bidding opens at publication unless the schedule says later; the sweep
    (or this call, when already due) makes those moves.
    """
    now = clock.now()
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status != Lot.Status.PENDING_REVIEW:
            raise TradingError("transition_not_allowed",
                               _("Only a lot that has been reviewed can be published."), status=409)
        if not lot.is_listing:
            lot.documents_from = lot.documents_from or now
            lot.bidding_opens_at = lot.bidding_opens_at or now
        check = publication_check(lot=lot, at=now)
        schedule_refuse(check)
        schedule_alert_provisional(check)
        kind = Announcement.Kind.LISTING if lot.is_listing else Announcement.Kind.TENDER
        announcement = Announcement.objects.create(
            lot=lot, kind=kind, title=title, body=body, published_at=now, published_by=actor,
            schedule={name: _iso(getattr(lot, name)) for name in SCHEDULE_FIELDS if getattr(lot, name)},
        )
        lot_move(lot, "publish", actor=actor, data={"announcement": announcement.pk, **announcement.schedule})
        _moves_due(lot, now)
    return announcement


def lot_amend(*, lot_id: int, title: str, body: str, actor: str, bid_deadline: datetime | None = None,
              documents_until: datetime | None = None) -> Announcement:
    """Publish an amendment or clarification; it may move the deadline (never earlier) so that at
    least the rule's days remain, and keep documents on sale longer."""
    now = clock.now()
    with transaction.atomic():
        lot = lot_lock(lot_id)
        if lot.status not in (Lot.Status.PUBLISHED, Lot.Status.BIDDING):
            raise TradingError("amendment_not_allowed",
                               _("Amendments are published between the announcement and the bid deadline."),
                               status=409)
        check = amendment_check(lot=lot, at=now, new_deadline=bid_deadline)
        schedule_refuse(check)
        schedule_alert_provisional(check)
        changes = {}
        if bid_deadline is not None and bid_deadline != lot.bid_deadline:
            changes["bid_deadline"] = bid_deadline
        if documents_until is not None and documents_until != lot.documents_until:
            changes["documents_until"] = documents_until
        for name, value in changes.items():
            setattr(lot, name, value)
        lot.next_due_refresh()
        lot.save()
        announcement = Announcement.objects.create(
            lot=lot, kind=Announcement.Kind.AMENDMENT, title=title, body=body, published_at=now, published_by=actor,
            schedule={k: _iso(v) for k, v in changes.items()},
        )
        record(kind="lot.amended", actor=actor, subject=f"lot:{lot.pk}",
               data={"announcement": announcement.pk, **announcement.schedule})
    return announcement


def lot_order_subject(lot: Lot) -> str:
    """The subject of staff's own suspension order on a lot: one per lot, like its status."""
    return f"lot:{lot.pk}"


def lot_suspend(*, lot_id: int, reason: str, actor: str) -> Lot:
    """Staff order the procedure suspended. On a lot another hold already suspended, the order is
    one more hold: the lot then resumes only once the order and every other hold are released."""
    if not reason.strip():
        raise TradingError("reason_required", _("Say why the procedure is suspended."))
    with transaction.atomic():
        lot = lot_lock(lot_id)
        already_suspended = lot.status == Lot.Status.SUSPENDED
        try:
            lot_hold(lot=lot, reason="order", subject=lot_order_subject(lot), actor=actor, data={"text": reason})
        except TradingError as error:
            if error.code == "already_held":
                raise TradingError("already_ordered", _("The lot is already suspended by an order."),
                                   status=409) from None
            raise
        if already_suspended:
            record(kind="lot.suspension_ordered", actor=actor, subject=f"lot:{lot.pk}",
                   data={"reason": "order", "text": reason})
    return lot


def lot_resume(*, lot_id: int, actor: str, bid_deadline: datetime | None = None) -> Lot:
    """Lift staff's suspension order and resume where the lot was suspended. Refused while another
    hold (an objection, a complaint) keeps it suspended: those are released by their own steps.
    A bid deadline that passed meanwhile must be moved, or the sweep closes bidding at once."""
    with transaction.atomic():
        lot = lot_lock(lot_id)
        subject = lot_order_subject(lot)
        others = lot_hold_reasons_open(lot=lot, excluding=subject)
        if lot.status == Lot.Status.SUSPENDED and others:
            raise TradingError(
                "lot_held", _("The lot stays suspended while these are open: %(reasons)s. They resume it when "
                              "they are settled.")
                % {"reasons": ", ".join(str(LotHold.Reason(reason).label) for reason in others)}, status=409)
        if bid_deadline is not None:
            if lot.bid_deadline and bid_deadline < lot.bid_deadline:
                raise TradingError("deadline_earlier", _("An amendment may move the bid deadline later, never earlier."))
            lot.bid_deadline = bid_deadline
        data = {"bid_deadline": _iso(bid_deadline)} if bid_deadline else None
        if not lot_hold_release(lot=lot, subject=subject, actor=actor, data=data):
            # No order was open: a lot suspended before holds existed, or one not suspended at all,
            # which the state machine refuses.
            lot_move(lot, "resume", actor=actor, data=data)
        return lot


def _moves_due(lot: Lot, now: datetime) -> int:
    """Apply, in order, every timed move of ``lot`` whose time has come. Caller holds the lot's lock."""
    applied = 0
    while (move := lot.due_move()) is not None and move[1] <= now:
        name, at = move
        lot_move(lot, name, actor="system:clock", data={"due_at": _iso(at)})
        applied += 1
    return applied


SWEEP_BATCH = 50


def lot_due_sweep() -> dict:
    """Apply every time-driven move that is due (bidding opens, bidding closes, listing starts,
    candidate publicity ends).

    Idempotent and safe to run in several workers at once: each batch locks its lots with
    ``SKIP LOCKED``, so a lot another sweep holds is left to it, and a lot whose move was applied is
    no longer due (``next_due_at`` moved on in the same transaction).
    """
    now = clock.now()
    # A deadline that passed while nothing ran is judged on that gap, and extended rather than
    # closed where the outage rule says so (trading.services.extensions), whichever sweep runs first.
    heartbeat_catch_up(now=now)
    applied = 0
    while True:
        with transaction.atomic():
            lots = list(
                Lot.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("project__market", "project__procedure")
                .filter(next_due_at__lte=now).order_by("next_due_at", "pk")[:SWEEP_BATCH]
            )
            batch = 0
            for lot in lots:
                try:
                    with transaction.atomic():
                        lot_outage_check(lot=lot, now=now)
                        batch += _moves_due(lot, now)
                except TradingError:
                    # A schedule the state machine refuses (e.g. bidding dates on a listing lot) must
                    # not hold up every other lot; it stays due and is logged each round until fixed.
                    log.exception("timed move of lot %s refused", lot.pk)
        applied += batch
        if len(lots) < SWEEP_BATCH or batch == 0:
            return {"applied": applied}

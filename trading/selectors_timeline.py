"""A lot's story as its public page tells it: the steps it has taken, with their dates (its status
moves and announcements), and the steps still to come, with the date each is set for or the time
limit the rule table gives it. Public facts only: nothing of a lot before its publication.

The steps of a procedure are data (``TENDER_STEPS``, ``LISTING_STEPS``): each names the status a
lot reaches once the step is over, so the steps still to come are those whose status lies ahead of
the lot's. A suspended lot is read at the status it was suspended from, its coming steps on hold."""
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trading import clock
from trading.models import Lot, RuleCode, RuleUnit
from trading.selectors_calendar import PUBLICATION_KINDS, lot_published_at, rule_find
from trading.workdays import deadline_add

S = Lot.Status

# Where a procedure stands, in order; a lot's position is its status's index.
TENDER_ORDER = [S.PUBLISHED, S.BIDDING, S.CLOSED, S.OPENING, S.EVALUATION, S.PUBLICITY, S.AWARD_REVIEW, S.AWARDED,
                S.CONTRACTED]
LISTING_ORDER = [S.PUBLISHED, S.LISTING, S.AUCTION, S.AWARDED, S.CONTRACTED]
ENDED = [S.FAILED, S.CANCELLED, S.TERMINATED, S.CONTRACTED]

# What each status move means to someone following the lot, and which page shows it (a URL name
# taking the lot's id); the moves before publication are not public.
MOVE_LABELS = {
    S.PUBLISHED: (_("Published"), ""),
    S.BIDDING: (_("Bidding opened"), ""),
    S.LISTING: (_("Listing started: quotes accepted"), "listing-page"),
    S.CLOSED: (_("Bid deadline passed: no more bids"), ""),
    S.OPENING: (_("Bid opening started"), "opening-page"),
    S.EVALUATION: (_("Opening record published; evaluation started"), "opening-page"),
    S.PUBLICITY: (_("Candidates published for objections"), "lot-result"),
    S.AWARD_REVIEW: (_("Award proposed for review"), ""),
    S.AUCTION: (_("Live auction started"), "listing-page"),
    S.AWARDED: (_("Awarded"), "lot-result"),
    S.CONTRACTED: (_("Contract signed"), ""),
    S.SUSPENDED: (_("Suspended"), ""),
    S.FAILED: (_("Failed"), ""),
    S.CANCELLED: (_("Cancelled"), ""),
    S.TERMINATED: (_("Terminated"), ""),
}
PRIVATE = [S.DRAFT, S.PENDING_REVIEW]


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    at: datetime | None = None  # None: no date is set yet
    by_day: date | None = None  # or the last day the step is due on (a period in days)
    note: str = ""
    url_name: str = ""  # the page that shows it, a URL name taking the lot's id
    anchor: str = ""  # or a place on the lot's own page


@dataclass
class LotStory:
    past: list[Step] = field(default_factory=list)
    coming: list[Step] = field(default_factory=list)
    on_hold: bool = False  # suspended: the coming steps wait until it resumes
    ended: str = ""  # how the procedure ended, once it has

    @property
    def next(self) -> Step | None:
        return self.coming[0] if self.coming else None


def lot_story(*, lot: Lot) -> LotStory:
    """``lot``'s story (a public lot, with its project, market and procedure loaded)."""
    story = LotStory(past=_past(lot))
    status = lot.suspended_from if lot.status == S.SUSPENDED else lot.status
    story.on_hold = lot.status == S.SUSPENDED
    if status in ENDED:
        story.ended = lot.get_status_display()
        return story
    if status in (LISTING_ORDER if lot.is_listing else TENDER_ORDER):
        story.coming = _coming_listing(lot, status) if lot.is_listing else _coming_tender(lot, status)
    return story


def _past(lot: Lot) -> list[Step]:
    announcements = list(lot.announcements.all())
    announced = any(a.kind in PUBLICATION_KINDS for a in announcements)
    # Announcements first: a move made at the same instant (a frozen clock's) follows its announcement.
    steps = [Step(key=f"announcement-{a.pk}", label=_("%(kind)s: %(title)s") % {"kind": a.get_kind_display(),
                                                                               "title": a.title},
                  at=a.published_at, anchor=f"announcement-{a.pk}") for a in announcements]
    for change in lot.status_changes.all():
        if change.target in PRIVATE or (change.target == S.PUBLISHED and announced):
            continue
        label, url_name = MOVE_LABELS.get(change.target, (S(change.target).label, ""))
        if change.source == S.SUSPENDED:
            label, url_name = _("Resumed"), ""
        elif change.target == S.AWARDED and lot.market.sells:
            label = _("Deal concluded")
        if url_name == "lot-result" and not lot.result_public:
            url_name = ""
        steps.append(Step(key=f"status-{change.pk}", label=label, at=change.at, url_name=url_name))
    # The outage rule's extensions of the bid deadline (trading.services.extensions).
    for extension in lot.deadline_extensions.all():
        key = f"extension-{extension.pk}"
        steps.append(Step(key=key, at=extension.extended_at, anchor=key,
                          label=_("Bid deadline extended to %(new)s after a platform outage (was %(old)s)")
                          % {"new": _local(extension.new_deadline), "old": _local(extension.old_deadline)}))
    return sorted(steps, key=lambda step: step.at)


def _local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _rule(lot: Lot, code: str):
    return rule_find(market=lot.project.market_id, procedure=lot.project.procedure, code=code,
                     at=lot_published_at(lot=lot))


def _rule_note(rule, text) -> str:
    """``text`` with the rule's amount and unit (``%(n)s %(unit)s``), or "" where the procedure has
    no such rule."""
    return text % {"n": rule.amount, "unit": RuleUnit(rule.unit).label} if rule else ""


def _ahead(order: list, status: str, reached: str) -> bool:
    """Whether a step that is over once the lot reaches ``reached`` is still to come at ``status``."""
    return order.index(status) < order.index(reached)


def _award_and_contract(lot: Lot, status: str, order: list) -> list[Step]:
    steps = []
    if _ahead(order, status, S.AWARDED) and not lot.is_listing:
        steps.append(Step(key="award", label=_("Award confirmed after the regulator's review"),
                          note=_("The winner is notified; the other bidders are told the result.")))
    rule, by_day = _rule(lot, RuleCode.CONTRACT_SIGNING), None
    if status == S.AWARDED and rule:
        awarded = max((c.at for c in lot.status_changes.all() if c.target == S.AWARDED), default=None)
        by_day = deadline_add(start=awarded, amount=rule.amount, unit=rule.unit).last_day if awarded else None
    steps.append(Step(key="contract", label=_("Contract signed"), by_day=by_day,
                      note=_rule_note(rule, _("Within %(n)s %(unit)s of the award notice."))))
    return steps


def _coming_tender(lot: Lot, status: str) -> list[Step]:
    order, steps = TENDER_ORDER, []
    if status in (S.PUBLISHED, S.BIDDING):
        if lot.documents_until and lot.documents_until > clock.now():
            steps.append(Step(key="documents_until", label=_("Tender documents on sale until"),
                              at=lot.documents_until, url_name="lot-documents"))
        steps.append(Step(key="bid_deadline", label=_("Bid deadline, and the bids opened online"),
                          at=lot.bid_deadline, url_name="opening-page",
                          note=_("Bids are opened at the deadline; anyone may watch the opening.")))
    elif status in (S.CLOSED, S.OPENING):
        steps.append(Step(key="opening", label=_("Bid opening"), at=lot.bid_deadline,
                          url_name="opening-page",
                          note=_("Under way: the custodians present their key shares, then the record is "
                                 "published.") if status == S.OPENING else ""))
    if _ahead(order, status, S.PUBLICITY):
        steps.append(Step(key="evaluation", label=_("Evaluation by the expert panel"),
                          note=_("Its report names the candidates.")))
    if status == S.PUBLICITY:
        steps.append(Step(key="publicity_end", label=_("Candidates' publicity ends"), at=lot.publicity_end,
                          url_name="lot-result", note=_("Objections to the candidates are filed until then.")))
    elif _ahead(order, status, S.PUBLICITY):
        steps.append(Step(key="publicity", label=_("Candidates published for objections"),
                          note=_rule_note(_rule(lot, RuleCode.CANDIDATES_PUBLICITY_LENGTH),
                                          _("For at least %(n)s %(unit)s."))))
    return steps + _award_and_contract(lot, status, order)


def _coming_listing(lot: Lot, status: str) -> list[Step]:
    order, steps = LISTING_ORDER, []
    if status == S.PUBLISHED:
        steps.append(Step(key="listing_start", label=_("Listing starts"), at=lot.listing_start))
    if _ahead(order, status, S.AUCTION):
        steps.append(Step(key="listing_end", label=_("Listing ends"), at=lot.listing_end, url_name="listing-page",
                          note=_("If several bidders are still in at the end, a live auction decides.")))
    if status == S.AUCTION:
        steps.append(Step(key="auction", label=_("Live auction under way"), url_name="listing-page"))
    if _ahead(order, status, S.AWARDED):
        steps.append(Step(key="deal", label=_("Deal confirmed"),
                          note=_("The buyer receives the deal confirmation; the deal is published.")))
    return steps + _award_and_contract(lot, status, order)

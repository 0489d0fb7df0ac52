"""The demo's histories (``bidding.demo``'s data), played through the services in the past.

Each lot's story is a generator: it yields the time of its next step and, resumed at that time,
takes the step as people and the clock would have taken it (publish, register, seal a bid, the
deadline's sweep, the opening, the evaluation, the award). ``demo_history_play`` runs every story in
one pass of the past clock (``trading.clock.played_from``), always the earliest step first, so the
lots' histories interleave as they would have and the audit chain's times follow its order."""
import heapq
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bidding.crypto.bidder_key import key_file_create
from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal, seal_v2
from bidding.demo import (ACCOUNTS, ACTOR, APPRAISED, AUCTION_FREE_MINUTES, AUCTION_IN, AUCTIONED, AWARDED,
                          BIDDER_KEY_PASSPHRASE, BIDDER_PASSWORD, BIDDERS, CUSTODIANS, EVALUATED, EXPERTS, FAILED, INVESTMENT, LISTED, NOTICES,
                          OPEN_FOR_BIDS, OPENING, OPENING_IN, ORGANISATIONS, PRICES, PROJECTS, QUOTES, SECTORS,
                          demo_after_load, demo_before_session)
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
from bidding.evaluation.services.evaluation import evaluation_conclude, evaluation_create, sheet_submit
from bidding.evaluation.services.panel import expert_register, member_answer, panel_draw
from bidding.sales.services.listings import listing_close_sweep, listing_continue, listing_create, listing_quote
from bidding.sealed.models import Bid
from bidding.sealed.services.bidder_keys import bidder_key_register
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.keys import custodian_key_create, lot_publish_sealed
from bidding.sealed.services.opening import bids_count_sweep, opening_close_sweep, opening_start, share_present
from monitoring.events import actor_of
from trading import clock
from trading.accounts.services.second_factor import totp_device_create
from trading.models import (SECOND_FACTOR_ROLES, Announcement, CentreNotice, Lot, Market, Procedure, Registration,
                            Role, User)
from trading.services.announcements import announcement_publish
from trading.services.deposits import deposit_confirm
from trading.services.lots import lot_create, lot_due_sweep, lot_submit, project_create
from trading.services.parties import organisation_create, user_create
from trading.services.registrations import registration_create, registration_decide
from trading.validators import resident_id_check_character, uscc_check_character

# The first announcement's words per procedure (招标公告, 询价公告, 挂牌出让公告, 转让公告).
ANNOUNCED_AS = {"open_tender": "招标公告", "inquiry": "询价公告", "listing_timed_bidding": "挂牌出让公告",
                "listing_online_bidding": "转让公告"}

Story = Iterator[datetime]


@dataclass
class _Demo:
    """What the stories share: the moment the demo is loaded (the present they lead up to) and the
    parties, made by the first story."""
    now: datetime
    organisations: list = field(default_factory=list)
    custodian_ids: list = field(default_factory=list)

    def soon(self, after: timedelta) -> datetime:
        """The whole minute after ``after`` from loading: a time as staff would set it."""
        return (self.now + after + timedelta(minutes=1)).replace(second=0, microsecond=0)

    def on(self, days: int, hour: int, minute: int = 0) -> datetime:
        """``days`` from the loading day (negative: before it) at a Beijing time of day."""
        day = timezone.localdate(self.now) + timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    @property
    def staff(self) -> str:
        """The demo's centre staff, who publish, confirm deposits and host the sessions."""
        return actor_of(_user("demo_staff"))


def demo_history_play(*, now: datetime) -> None:
    """Every story, from two months before ``now`` until just before it. Caller holds a transaction."""
    demo = _Demo(now=now)
    stories = [_parties(demo), _notices(demo), _awarded(demo), _evaluated(demo), _opening_soon(demo),
               _auction_soon(demo), _listing_failed(demo), _listing_open(demo),
               _open_for_bids(demo, OPEN_FOR_BIDS, published=-5, deadline=20),
               _open_for_bids(demo, "RL2026-002", published=-3, deadline=14),
               _not_published(demo, "CG2026-021", submit=True), _not_published(demo, "RL2026-003", submit=False)]
    queue: list = []
    with clock.played_from(demo.on(-60, 8)) as past:
        for n, story in enumerate(stories):
            _schedule(queue, n, story)
        while queue:
            at, n, story = heapq.heappop(queue)
            if at > past.now():
                past.travel(at)
            _schedule(queue, n, story)


def _schedule(queue: list, n: int, story: Story) -> None:
    """Run ``story`` to its next step's time and queue it there (``n`` orders ties, in list order)."""
    at = next(story, None)
    if at is not None:
        heapq.heappush(queue, (at, n, story))


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _uscc(prefix8: str, serial: int) -> str:
    body = f"{prefix8}MA{serial:07d}"[:17]
    body = body.replace("I", "J").replace("O", "P").replace("Z", "Y").replace("S", "T").replace("V", "W")
    return body + uscc_check_character(body)


def _resident_id(serial: int) -> str:
    body = f"33010219800101{serial:03d}"
    return body + resident_id_check_character(body)


def _parties(demo: _Demo) -> Story:
    yield demo.on(-60, 9)
    demo.organisations = [organisation_create(name=name, uscc=_uscc(prefix, i), kind=kind, actor=ACTOR,
                                              sector=SECTORS.get(name, ""))
                          for i, (name, prefix, kind) in enumerate(ORGANISATIONS, start=1)]
    for i, (username, password, roles, display_name) in enumerate(ACCOUNTS, start=1):
        individual = Role.BIDDER not in roles and Role.STAFF not in roles
        user = user_create(username=username, password=password, roles=roles, display_name=display_name, actor=ACTOR,
                           organisation=demo.organisations[0] if Role.BIDDER in roles else None,
                           resident_id=_resident_id(i) if individual else None)
        if SECOND_FACTOR_ROLES & set(roles):  # their codes: /demo/codes/ and load_demo's output
            totp_device_create(user, confirmed=True, actor=ACTOR)
    for username, organisation, display_name in BIDDERS:
        user_create(username=username, password=BIDDER_PASSWORD, roles=[Role.BIDDER, Role.COMPANY_ADMIN],
                    display_name=display_name, actor=ACTOR, organisation=demo.organisations[organisation])
    for n, (username, specialties, employer) in enumerate(EXPERTS, start=len(ACCOUNTS) + 1):
        user = User.objects.filter(username=username).first() or user_create(
            username=username, password="demo-expert-2026", roles=[Role.EXPERT], display_name=f"专家{n}",
            actor=ACTOR, resident_id=_resident_id(n))
        expert_register(user=user, specialties=specialties, employer_name=employer)
    for username, passphrase in CUSTODIANS:
        custodian = User.objects.get(username=username)
        custodian_key_create(user=custodian, passphrase=passphrase)
        demo.custodian_ids.append(custodian.pk)


def _notices(demo: _Demo) -> Story:
    """The centre's notices, kept by staff in the admin (no service of their own)."""
    for days, pinned, title, body in sorted(NOTICES, key=lambda notice: -notice[0]):
        yield demo.on(-days, 9, 30)
        CentreNotice.objects.create(title=title, body=body, published_at=clock.now(), published_by=ACTOR,
                                    pinned=pinned)


# --- the lots' histories --------------------------------------------------------------------------------


def _lot_make(demo: _Demo, code: str, **schedule) -> Lot:
    """The project ``code`` of ``PROJECTS`` with its one lot, a draft with ``schedule``; the deposit
    is 2 % of a tender's estimate (the cap) and 20 % of a sale's listing price."""
    market_code, procedure_code, code, title, tenderee, estimate, region = next(p for p in PROJECTS if p[2] == code)
    market = Market.objects.get(code=market_code)
    procedure = Procedure.objects.get(market=market, code=procedure_code)
    project = project_create(code=code, title=title, market=market, procedure=procedure,
                             tenderee=demo.organisations[tenderee], region=region, actor=demo.staff,
                             investment=Decimal(INVESTMENT[code]) if code in INVESTMENT else None)
    estimate = Decimal(estimate)
    share = Decimal("0.2") if procedure.kind == Procedure.Kind.LISTING else Decimal("0.02")
    deposit = (estimate * share).quantize(Decimal("1"))
    appraised = Decimal(APPRAISED[code]) if code in APPRAISED else None
    return lot_create(project=project, title=title, estimate=estimate, deposit=deposit, actor=demo.staff,
                      appraised_value=appraised, **schedule)


def _publish(demo: _Demo, lot: Lot) -> Lot:
    """Submitted and published at once, with its opening key shared 2 of 3 among the custodians."""
    lot_submit(lot_id=lot.pk, actor=demo.staff)
    title = f"{lot.title}{ANNOUNCED_AS[lot.project.procedure.code]}"
    lot_publish_sealed(lot_id=lot.pk, title=title, body=f"{lot.title}已具备交易条件，现予公告。详见公告附件及交易文件。",
                       actor=demo.staff, custodian_ids=demo.custodian_ids, threshold=2)
    lot.refresh_from_db()
    return lot


def _registered(demo: _Demo, lot: Lot, username: str) -> User:
    """The bidder's company registered (approved by staff where the procedure asks) with its deposit in."""
    user = _user(username)
    registration = registration_create(lot_id=lot.pk, user=user)
    if registration.status == Registration.Status.PENDING:
        registration_decide(registration_id=registration.pk, approve=True, reason="", actor=demo.staff)
    if lot.deposit:
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit,
                        reference=f"DEMO-{lot.project.code}-{registration.pk}", actor=demo.staff)
    return user


def _bid_sealed(lot: Lot, user: User, price: str, *, locks: int) -> Bid:
    """A bid sealed to the lot's opening key, as the bidder's browser seals it, and submitted. With
    two locks, the bidder first makes its key (passphrase ``BIDDER_KEY_PASSPHRASE``) and registers it
    with its registration, and the bid is sealed to both keys (envelope v2)."""
    key = public_key_load(bytes(lot.opening_key.public_key_raw))
    out, proposal = io.BytesIO(), f"{user.organisation.name} 投标文件（演示）".encode() * 64
    names = {"platform": settings.PLATFORM_ID, "lot": str(lot.pk), "bidder": user.organisation.uscc}
    form = {"price_form": {"price": price, "period_days": 180, "items": {}},
            "files": [("投标文件.pdf", io.BytesIO(proposal), len(proposal))], "out": out}
    if locks == 2:
        bidder_key = key_file_create(BIDDER_KEY_PASSPHRASE)
        registration = Registration.objects.get(lot=lot, organisation_id=user.organisation_id)
        bidder_key_register(registration_id=registration.pk, user=user, key_file=bidder_key.text())
        seal_v2(lot_public_key=key, bidder_public_key=bidder_key.encryption_public_key, **names, **form)
    else:
        seal(public_key=key, **names, **form)
    envelope = out.getvalue()
    return bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(envelope), length=len(envelope))


def _bids(demo: _Demo, lot: Lot, days: list[int], *, locks: int = 1) -> Story:
    """Each bidder of ``PRICES`` registers, pays and seals its bid (with ``locks``), on its day of ``days``."""
    for n, ((username, price), day) in enumerate(zip(PRICES[lot.project.code].items(), days, strict=True)):
        yield demo.on(day, 10 + 2 * n, 15)
        _bid_sealed(lot, _registered(demo, lot, username), price, locks=locks)


def _opened(demo: _Demo, lot: Lot) -> Story:
    """From the deadline: bidding closes, staff start the opening, two custodians present their
    shares, the bidders' response window passes and the lot moves on to its evaluation."""
    yield lot.bid_deadline
    lot_due_sweep()
    bids_count_sweep()
    demo_before_session(lot=lot, session_kind="opening")
    yield clock.now() + timedelta(minutes=2)
    session = opening_start(lot_id=lot.pk, actor=demo.staff)
    for username, passphrase in CUSTODIANS[:2]:
        yield clock.now() + timedelta(minutes=3)
        share_present(session_id=session.pk, user=User.objects.get(username=username), passphrase=passphrase)
    session.refresh_from_db()
    yield session.responses_until
    opening_close_sweep()


def _awarded(demo: _Demo) -> Story:
    """Published 45 days ago; three sealed bids, opened, evaluated by a panel drawn from the demo
    experts, its candidates publicised and the award approved by the demo regulator."""
    yield demo.on(-45, 9)
    deadline = demo.on(-20, 9, 30)
    lot = _publish(demo, _lot_make(demo, AWARDED, documents_until=deadline, bid_deadline=deadline))
    yield from _bids(demo, lot, [-38, -30, -23])
    yield from _opened(demo, lot)
    yield demo.on(-19, 9)
    demo_before_session(lot=lot, session_kind="evaluation")
    evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5,
                                   actor=demo.staff)
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor=demo.staff)
    members = list(evaluation.members.select_related("user"))
    yield clock.now() + timedelta(minutes=40)
    for member in members:
        member_answer(member_id=member.pk, user=member.user, no_conflict=True)
    yield clock.now() + timedelta(hours=3)
    entries = {str(bid.pk): {"compliant": True} for bid in Bid.objects.filter(lot=lot, status=Bid.Status.OPENED)}
    for member in members:
        sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
    evaluation_conclude(evaluation_id=evaluation.pk, actor=demo.staff)
    yield demo.on(-18, 10)
    candidates_publish(lot_id=lot.pk, actor=demo.staff)
    announcement_publish(lot_id=lot.pk, kind=Announcement.Kind.CANDIDATES, title=f"{lot.title}中标候选人公示",
                         body="评标委员会推荐的中标候选人及其排序见附件，公示期内投标人或其他利害关系人可依法提出异议。",
                         actor=demo.staff)
    lot.refresh_from_db()
    yield lot.publicity_end
    lot_due_sweep()
    proposal = award_propose(lot_id=lot.pk, actor=demo.staff)
    yield clock.now() + timedelta(days=1)
    award_review(proposal_id=proposal.pk, user=User.objects.get(username="demo_regulator"), approve=True)
    yield clock.now() + timedelta(hours=2)
    announcement_publish(lot_id=lot.pk, kind=Announcement.Kind.RESULT, title=f"{lot.title}中标结果公告",
                         body=f"中标人：{ORGANISATIONS[0][0]}。中标通知书已发出，招标人与中标人应在规定期限内签订合同。",
                         actor=demo.staff)


def _evaluated(demo: _Demo) -> Story:
    """Opened three days ago; its evaluation is for staff to set up."""
    yield demo.on(-27, 9)
    deadline = demo.on(-3, 9, 30)
    lot = _publish(demo, _lot_make(demo, EVALUATED, documents_until=deadline, bid_deadline=deadline))
    yield from _bids(demo, lot, [-20, -12, -5])
    yield from _opened(demo, lot)


def _opening_soon(demo: _Demo) -> Story:
    """Published 24 days ago; its bid deadline passes ``OPENING_IN`` after loading, three sealed
    bids in (the last yesterday), each with its bidder's own lock, and the opening hall is left to
    the newcomer."""
    yield demo.on(-24, 9)
    deadline = demo.soon(OPENING_IN)
    lot = _publish(demo, _lot_make(demo, OPENING, documents_until=deadline, bid_deadline=deadline))
    yield from _bids(demo, lot, [-15, -8, -1], locks=2)


def _auction_soon(demo: _Demo) -> Story:
    """Listed for 17 days; three bidders quoted and said they would continue, so when the listing
    closed, just before loading, a live auction was set for ``AUCTION_IN`` after loading. The demo
    regulator has checked in to it (a major lot's auction waits for an official)."""
    delay = 30
    yield demo.on(-38, 9)
    lot = _lot_make(demo, AUCTIONED, listing_start=demo.on(-17, 9),
                    listing_end=demo.soon(AUCTION_IN) - timedelta(minutes=delay))
    lot = _publish(demo, lot)
    listing = listing_create(lot_id=lot.pk, starting_price=lot.estimate, increment=lot.estimate / 100,
                             auction_delay_minutes=delay, auction_free_minutes=AUCTION_FREE_MINUTES, actor=demo.staff)
    yield lot.listing_start
    lot_due_sweep()
    for n, username in enumerate(dict.fromkeys(QUOTES)):
        yield demo.on(-16 + 2 * n, 10)
        _registered(demo, lot, username)
    for n, username in enumerate(QUOTES):
        yield demo.on(-12 + 3 * n, 14, 20)
        listing_quote(lot_id=lot.pk, user=_user(username), amount=listing.starting_price + n * listing.increment)
    for n, username in enumerate(dict.fromkeys(QUOTES)):
        yield demo.on(-1, 15, 10 * n)
        listing_continue(lot_id=lot.pk, user=_user(username))
    yield lot.listing_end
    listing_close_sweep()
    yield clock.now() + timedelta(minutes=1)
    demo_before_session(lot=lot, session_kind="auction")


def _listing_failed(demo: _Demo) -> Story:
    """Listed for 12 days without a quote: unsold, its failure notice published the next day."""
    yield demo.on(-45, 9)
    lot = _lot_make(demo, FAILED, listing_start=demo.on(-24, 9), listing_end=demo.on(-12, 15))
    lot = _publish(demo, lot)
    listing_create(lot_id=lot.pk, starting_price=lot.estimate, increment=lot.estimate / 100, actor=demo.staff)
    yield lot.listing_start
    lot_due_sweep()
    yield lot.listing_end
    listing_close_sweep()
    yield demo.on(-11, 10)
    announcement_publish(lot_id=lot.pk, kind=Announcement.Kind.FAILURE, title=f"{lot.title}流拍公告",
                         body="挂牌期限届满，无竞买人报价，本宗地块挂牌出让未成交。", actor=demo.staff)


def _listing_open(demo: _Demo) -> Story:
    """An equity transfer in its disclosure period, its terms set, waiting for quotes."""
    yield demo.on(-8, 9)
    lot = _publish(demo, _lot_make(demo, LISTED, listing_start=demo.on(-7, 9), listing_end=demo.on(35, 15)))
    listing_create(lot_id=lot.pk, starting_price=lot.estimate, increment=lot.estimate / 100, actor=demo.staff)
    yield lot.listing_start
    lot_due_sweep()


def _open_for_bids(demo: _Demo, code: str, *, published: int, deadline: int) -> Story:
    yield demo.on(published, 9)
    closes = demo.on(deadline, 9, 30)
    _publish(demo, _lot_make(demo, code, documents_until=closes, bid_deadline=closes))


def _not_published(demo: _Demo, code: str, *, submit: bool) -> Story:
    """A draft made yesterday for a deadline a month ahead; ``submit``: sent for review."""
    yield demo.on(-1, 11 if submit else 16)
    closes = demo.on(30, 9, 30)
    lot = _lot_make(demo, code, documents_until=closes, bid_deadline=closes)
    if submit:
        lot_submit(lot_id=lot.pk, actor=demo.staff)


@transaction.atomic
def demo_load() -> None:
    """Every party and lot of the demo, their histories played from two months before now."""
    demo_history_play(now=clock.now())
    demo_after_load()

"""Demo data for the embedded mode: parties of every kind, one account per role, projects of all
five markets in several states, custodians with their keys. Built only through the services, like
real data; it lives in ``bidding`` because publishing a lot spans both apps (DESIGN §9).

The awarded lot (``AWARDED``) has its whole procedure played through the services in the past
(``trading.clock.played_from``): published, registered and paid for, sealed bids from three bidders,
opened by two custodians, evaluated by a panel drawn from the demo experts, its candidates
publicised and the award approved by the demo regulator; so its result page, opening record,
notices and report are real. The parties are made before it, at its past; the other lots at the
present, moved straight to their states."""
import io
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from bidding.crypto.opening_key import public_key_load
from bidding.crypto.sealing import seal
from bidding.evaluation.services.awards import award_propose, award_review, candidates_publish
from bidding.evaluation.services.evaluation import evaluation_conclude, evaluation_create, sheet_submit
from bidding.evaluation.services.panel import expert_register, member_answer, panel_draw
from bidding.sales.services.listings import listing_create
from bidding.sealed.models import Bid
from bidding.sealed.services.bids import bid_submit
from bidding.sealed.services.keys import custodian_key_create, lot_publish_sealed
from bidding.sealed.services.opening import opening_close_sweep, opening_start, share_present
from trading import clock
from trading.accounts.services.second_factor import totp_device_create
from trading.models import SECOND_FACTOR_ROLES, Lot, Market, Procedure, Role, User
from trading.services.deposits import deposit_confirm
from trading.services.lots import lot_create, lot_due_sweep, lot_submit, project_create
from trading.services.moves import lot_transition
from trading.services.parties import organisation_create, user_create
from trading.services.registrations import registration_create
from trading.validators import resident_id_check_character, uscc_check_character

ACTOR = "system:demo"

# (username, password, roles, display name); passwords are public: this is demo data.
# demo_bidder administers its company; the second staff member and security administrator are there
# because a rule change and a regulator's or custodian's grant each take two people.
ACCOUNTS = [
    ("demo_bidder", "demo-bidder-2026", [Role.BIDDER, Role.COMPANY_ADMIN], "张投标（华建工程）"),
    ("demo_staff", "demo-staff-2026", [Role.STAFF], "李经办（交易中心）"),
    ("demo_custodian", "demo-custodian-2026", [Role.CUSTODIAN], "王保管（交易中心）"),
    ("demo_expert", "demo-expert-2026", [Role.EXPERT], "赵专家"),
    ("demo_supervisor", "demo-supervisor-2026", [Role.SUPERVISOR, Role.CUSTODIAN], "钱监督"),
    ("demo_regulator", "demo-regulator-2026", [Role.REGULATOR, Role.CUSTODIAN], "孙监管（住建局）"),
    ("demo_security", "demo-security-2026", [Role.SECURITY_ADMIN], "郑安全（交易中心信息安全）"),
    ("demo_security_2", "demo-security-2026", [Role.SECURITY_ADMIN], "冯安全（交易中心信息安全）"),
    ("demo_staff_2", "demo-staff-2026", [Role.STAFF], "陈经办（交易中心）"),
]

# The three custodians of every demo lot (centre staff, a supervisor, a regulator; 2 of 3 open) and
# the passphrases that unlock their keys at an opening. Public: this is demo data.
CUSTODIANS = [
    ("demo_custodian", "demo-custodian-passphrase"),
    ("demo_supervisor", "demo-supervisor-passphrase"),
    ("demo_regulator", "demo-regulator-passphrase"),
]

# The expert pool beside demo_expert: enough of each specialty to draw a panel of 5 (same password).
EXPERTS = [("demo_expert", ["civil", "goods", "cost"], "市建筑设计研究院")] + [
    (f"demo_expert_{n}", ["civil", "goods"] if n % 2 else ["goods", "it", "cost"], f"省专家库单位{n}")
    for n in range(2, 9)]

ORGANISATIONS = [
    ("华建工程有限公司", "91330100", "bidder"),
    ("江南建设集团有限公司", "91330102", "bidder"),
    ("市第一人民医院", "12330100", "tenderee"),
    ("市城市建设投资集团有限公司", "91330103", "tenderee"),
    ("市自然资源和规划局", "11330100", "tenderee"),
    ("市国有资本运营有限公司", "91330105", "tenderee"),
    ("公信招标代理有限公司", "91330106", "agency"),
    ("华康医疗设备有限公司", "91330107", "bidder"),
]

# The other bidders' accounts (password of demo_bidder), by index in ORGANISATIONS; with
# demo_bidder they bid for the awarded lot.
BIDDERS = [("demo_bidder_2", 1, "周投标（江南建设）"), ("demo_bidder_3", 7, "吴投标（华康医疗）")]

# The awarded lot: its price per bidder (demo_bidder first: the lowest price wins) and how long ago
# its announcement was published.
AWARDED = "CG2026-015"
AWARDED_PRICES = {"demo_bidder": "22860000.00", "demo_bidder_2": "23180000.00", "demo_bidder_3": "23420000.00"}
AWARDED_DAYS_AGO = 45

# (market, procedure, code, title, tenderee index, estimate in yuan, steps from draft)
PROJECTS = [
    ("construction", "open_tender", "JS2026-001", "市民中心二期土建工程", 3, "48600000.00",
     ["submit_for_review", "publish", "open_bidding"]),
    ("construction", "open_tender", "JS2026-002", "滨江路市政道路改造工程", 3, "12800000.00",
     ["submit_for_review", "publish", "open_bidding", "close_bidding", "start_opening", "start_evaluation"]),
    ("procurement", "open_tender", AWARDED, "医院医用直线加速器采购", 2, "23500000.00",
     ["submit_for_review", "publish", "open_bidding", "play_to_award"]),
    ("procurement", "inquiry", "CG2026-021", "办公家具询价采购", 2, "860000.00", ["submit_for_review"]),
    ("property", "listing_online_bidding", "CQ2026-007", "市国资公司所持某科技公司20%股权转让", 5, "36000000.00",
     ["submit_for_review", "publish", "start_listing", "listing_terms"]),
    ("land", "listing_timed_bidding", "TD2026-003", "城东片区R2-07地块国有建设用地使用权", 4, "520000000.00",
     ["submit_for_review", "publish", "start_listing", "start_auction"]),
    ("land", "listing_timed_bidding", "TD2026-004", "高新区M1-12工业用地使用权", 4, "48000000.00",
     ["submit_for_review", "publish", "start_listing", "fail"]),
    ("hr", "inquiry", "RL2026-002", "市政务服务中心劳务派遣服务", 2, "3200000.00",
     ["submit_for_review", "publish", "open_bidding", "close_bidding"]),
    ("hr", "open_tender", "RL2026-003", "市属国企人才招聘外包服务", 5, "1500000.00", []),
]


def _uscc(prefix8: str, serial: int) -> str:
    body = f"{prefix8}MA{serial:07d}"[:17]
    body = body.replace("I", "J").replace("O", "P").replace("Z", "Y").replace("S", "T").replace("V", "W")
    return body + uscc_check_character(body)


def _resident_id(serial: int) -> str:
    body = f"33010219800101{serial:03d}"
    return body + resident_id_check_character(body)


# Steps the apps above bidding take before each of the demo's sessions starts (supervisors: the demo
# regulator checks in to a major session); they register when they are ready.
_before_session: list = []


def demo_before_session_register(step) -> None:
    """``step(lot=, session_kind=)`` runs before the demo's opening and evaluation start."""
    if step not in _before_session:
        _before_session.append(step)


def demo_loaded() -> bool:
    return User.objects.filter(username="demo_staff").exists()


@transaction.atomic
def demo_load() -> None:
    # The parties and the awarded lot's procedure at their past, then the other lots at the present.
    with clock.played_from(clock.now() - timedelta(days=AWARDED_DAYS_AGO)) as past:
        organisations = [
            organisation_create(name=name, uscc=_uscc(prefix, i), kind=kind, actor=ACTOR)
            for i, (name, prefix, kind) in enumerate(ORGANISATIONS, start=1)
        ]
        for i, (username, password, roles, display_name) in enumerate(ACCOUNTS, start=1):
            individual = Role.BIDDER not in roles and Role.STAFF not in roles
            user = user_create(
                username=username, password=password, roles=roles, display_name=display_name, actor=ACTOR,
                organisation=organisations[0] if Role.BIDDER in roles else None,
                resident_id=_resident_id(i) if individual else None,
            )
            if SECOND_FACTOR_ROLES & set(roles):  # their codes: /demo/codes/ and load_demo's output
                totp_device_create(user, confirmed=True, actor=ACTOR)
        for username, organisation, display_name in BIDDERS:
            user_create(username=username, password="demo-bidder-2026", roles=[Role.BIDDER, Role.COMPANY_ADMIN],
                        display_name=display_name, actor=ACTOR, organisation=organisations[organisation])
        for n, (username, specialties, employer) in enumerate(EXPERTS, start=len(ACCOUNTS) + 1):
            user = User.objects.filter(username=username).first() or user_create(
                username=username, password="demo-expert-2026", roles=[Role.EXPERT], display_name=f"专家{n}",
                actor=ACTOR, resident_id=_resident_id(n))
            expert_register(user=user, specialties=specialties, employer_name=employer)
        custodian_ids = []
        for username, passphrase in CUSTODIANS:
            custodian = User.objects.get(username=username)
            custodian_key_create(user=custodian, passphrase=passphrase)
            custodian_ids.append(custodian.pk)
        for project in PROJECTS:
            if project[2] == AWARDED:
                _project_load(project, organisations=organisations, custodian_ids=custodian_ids, past=past)
    for project in PROJECTS:
        if project[2] != AWARDED:
            _project_load(project, organisations=organisations, custodian_ids=custodian_ids)


def _project_load(project, *, organisations, custodian_ids, past=None) -> None:
    market_code, procedure_code, code, title, tenderee, estimate, steps = project
    now = clock.now()
    market = Market.objects.get(code=market_code)
    procedure = Procedure.objects.get(market=market, code=procedure_code)
    project = project_create(code=code, title=title, market=market, procedure=procedure,
                             tenderee=organisations[tenderee], actor=ACTOR)
    estimate = Decimal(estimate)
    if procedure.kind == Procedure.Kind.LISTING:
        schedule = {"listing_start": now + timedelta(days=21), "listing_end": now + timedelta(days=56),
                    "deposit": (estimate / 5).quantize(Decimal("1"))}
    else:
        schedule = {"documents_until": now + timedelta(days=25), "bid_deadline": now + timedelta(days=25),
                    "deposit": (estimate * Decimal("0.02")).quantize(Decimal("1"))}
    lot = lot_create(project=project, title=title, estimate=estimate, actor=ACTOR, **schedule)
    for step in steps:
        if step == "submit_for_review":
            lot_submit(lot_id=lot.pk, actor=ACTOR)
        elif step == "publish":
            lot_publish_sealed(lot_id=lot.pk, title=f"{title}公告", body=f"{title}，详见公告附件。", actor=ACTOR,
                               custodian_ids=custodian_ids, threshold=2)
        elif step == "listing_terms":
            listing_create(lot_id=lot.pk, starting_price=estimate, increment=estimate / 100, actor=ACTOR)
        elif step == "play_to_award":
            _award_play(lot.pk, past=past)
        elif step != "open_bidding":  # publication opens bidding at once for tenders
            lot_transition(lot_id=lot.pk, transition=step, actor=ACTOR)


def _award_play(lot_id: int, *, past: clock.PastClock) -> None:
    """A published tender lot to its approved award, through the services; ``past`` moves the clock
    over each period the rule table sets (bidding, the bidders' responses, the publicity)."""
    lot = Lot.objects.select_related("opening_key").get(pk=lot_id)
    key = public_key_load(bytes(lot.opening_key.public_key_raw))
    for n, (username, price) in enumerate(AWARDED_PRICES.items(), start=1):
        user = User.objects.select_related("organisation").get(username=username)
        registration = registration_create(lot_id=lot.pk, user=user)
        deposit_confirm(registration_id=registration.pk, amount=lot.deposit, reference=f"DEMO-{lot.pk}-{n}",
                        actor=ACTOR)
        out, proposal = io.BytesIO(), f"{user.organisation.name} 投标文件（演示）".encode() * 64
        seal(public_key=key, platform=settings.PLATFORM_ID, lot=str(lot.pk), bidder=user.organisation.uscc,
             price_form={"price": price, "period_days": 90, "items": {}},
             files=[("投标文件.pdf", io.BytesIO(proposal), len(proposal))], out=out)
        envelope = out.getvalue()
        bid_submit(lot_id=lot.pk, user=user, stream=io.BytesIO(envelope), length=len(envelope))
    past.travel(lot.bid_deadline)
    lot_due_sweep()
    for step in _before_session:
        step(lot=lot, session_kind="opening")
    session = opening_start(lot_id=lot.pk, actor=ACTOR)
    for username, passphrase in CUSTODIANS[:2]:
        share_present(session_id=session.pk, user=User.objects.get(username=username), passphrase=passphrase)
    session.refresh_from_db()
    past.travel(session.responses_until)
    opening_close_sweep()
    for step in _before_session:
        step(lot=lot, session_kind="evaluation")
    evaluation = evaluation_create(lot_id=lot.pk, method="lowest_price", category="goods", panel_size=5, actor=ACTOR)
    panel_draw(evaluation_id=evaluation.pk, specialties={"goods": 5}, actor=ACTOR)
    entries = {str(bid.pk): {"compliant": True} for bid in Bid.objects.filter(lot=lot, status=Bid.Status.OPENED)}
    members = list(evaluation.members.select_related("user"))
    for member in members:
        member_answer(member_id=member.pk, user=member.user, no_conflict=True)
    for member in members:
        sheet_submit(evaluation_id=evaluation.pk, user=member.user, entries=entries)
    evaluation_conclude(evaluation_id=evaluation.pk, actor=ACTOR)
    candidates_publish(lot_id=lot.pk, actor=ACTOR)
    lot.refresh_from_db()
    past.travel(lot.publicity_end)
    lot_due_sweep()
    proposal = award_propose(lot_id=lot.pk, actor=ACTOR)
    award_review(proposal_id=proposal.pk, user=User.objects.get(username="demo_regulator"), approve=True)

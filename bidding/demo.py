"""Demo data for the embedded mode: parties of every kind, one account per role, projects of all
five markets in every state worth seeing, custodians with their keys. Built only through the
services, like real data; it lives in ``bidding`` because publishing a lot spans both apps (DESIGN §9).

Every lot's history is played through the services at the times it would have happened
(``bidding.demo_stories``, whose ``demo_load`` loads it), all lots in one pass of the past clock, so each date a page shows agrees
with the lot's state and the audit chain's times follow its order. Two lots are left to move while
the demo runs: the bid deadline of ``OPENING`` passes a few minutes after loading, with sealed bids
in, each with its bidder's own lock (envelope v2, docs/opening-hall.md), for a newcomer to open in
the remote opening hall as the demo's custodians and bidders; and the listing of ``AUCTIONED`` ended
contested just before loading, so its live auction starts a few minutes after, against the scripted
competitors of ``bidding.demo_live``."""
from datetime import timedelta

from trading.models import Role, User

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
    # The head of the staff's department: assesses demo_staff and demo_staff_2 (docs/assessment.md).
    ("demo_manager", "demo-manager-2026", [Role.STAFF, Role.STAFF_MANAGER], "何科长（交易中心）"),
]

# The three custodians of every demo lot (centre staff, a supervisor, a regulator; 2 of 3 open) and
# the passphrases that unlock their keys at an opening. Public: this is demo data.
CUSTODIANS = [
    ("demo_custodian", "demo-custodian-passphrase"),
    ("demo_supervisor", "demo-supervisor-passphrase"),
    ("demo_regulator", "demo-regulator-passphrase"),
]

# The passphrase of every demo bidder's key (docs/bidder-keys.md): the second lock of the bids sealed
# for ``OPENING``, which each bidder releases in the opening hall. Public: this is demo data.
BIDDER_KEY_PASSPHRASE = "demo-bidder-key-2026"

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
    ("东方路桥建设有限公司", "91330108", "bidder"),
]
# What kind of body each tenderee is: the statistics' tenderee type.
SECTORS = {"市第一人民医院": "institution", "市城市建设投资集团有限公司": "state_owned",
           "市自然资源和规划局": "government", "市国有资本运营有限公司": "state_owned"}

# The other bidders' accounts (password of demo_bidder), by index in ORGANISATIONS.
BIDDER_PASSWORD = "demo-bidder-2026"
BIDDERS = [("demo_bidder_2", 1, "周投标（江南建设）"), ("demo_bidder_3", 7, "吴投标（华康医疗）"),
           ("demo_bidder_4", 8, "王投标（东方路桥）")]

# The lots the demo's story is about, by project code.
OPEN_FOR_BIDS = "JS2026-001"  # taking bids for three weeks more
LISTED = "CQ2026-007"  # in its listing period, taking quotes
AWARDED = "CG2026-015"  # played to its approved award
EVALUATED = "JS2026-002"  # opened, waiting for staff to set up its evaluation
OPENING = "JS2026-003"  # its bid deadline passes OPENING_IN after loading, its bids sealed and in
AUCTIONED = "TD2026-003"  # its live auction starts AUCTION_IN after loading
FAILED = "TD2026-004"  # its listing ended with no quote
OPENING_IN = timedelta(minutes=3)
AUCTION_IN = timedelta(minutes=2)
# The live auction's free bidding lasts long enough for a newcomer to find it; then each bid
# restarts the rule table's countdown (5 minutes for land).
AUCTION_FREE_MINUTES = 30

# Each tender's sealed prices, per bidder (the lowest wins the awarded lot: demo_bidder).
PRICES = {
    AWARDED: {"demo_bidder": "22860000.00", "demo_bidder_2": "23180000.00", "demo_bidder_3": "23420000.00"},
    EVALUATED: {"demo_bidder": "12360000.00", "demo_bidder_2": "12095000.00", "demo_bidder_4": "12512000.00"},
    OPENING: {"demo_bidder_4": "35880000.00", "demo_bidder_2": "34960000.00", "demo_bidder": "35270000.00"},
}
# The auctioned lot's listing: who quoted, in order, each one increment above the last (the first at
# the starting price); all three continue to the live auction.
QUOTES = ["demo_bidder_2", "demo_bidder", "demo_bidder_3", "demo_bidder_2"]

# (market, procedure, code, title, tenderee index, estimate in yuan, region)
PROJECTS = [
    ("construction", "open_tender", OPEN_FOR_BIDS, "市民中心二期土建工程", 3, "48600000.00", "市本级"),
    ("construction", "open_tender", EVALUATED, "滨江路市政道路改造工程", 3, "12800000.00", "城东新区"),
    ("construction", "open_tender", OPENING, "城东新区第二小学新建工程", 3, "36800000.00", "城东新区"),
    ("procurement", "open_tender", AWARDED, "医院医用直线加速器采购", 2, "23500000.00", "市本级"),
    ("procurement", "inquiry", "CG2026-021", "办公家具询价采购", 2, "860000.00", "市本级"),
    ("property", "listing_online_bidding", LISTED, "市国资公司所持某科技公司20%股权转让", 5, "36000000.00",
     "市本级"),
    ("land", "listing_timed_bidding", AUCTIONED, "城东片区R2-07地块国有建设用地使用权", 4, "520000000.00", "城东新区"),
    ("land", "listing_timed_bidding", FAILED, "高新区M1-12工业用地使用权", 4, "48000000.00", "高新区"),
    ("hr", "inquiry", "RL2026-002", "市政务服务中心劳务派遣服务", 2, "3200000.00", "市本级"),
    ("hr", "open_tender", "RL2026-003", "市属国企人才招聘外包服务", 5, "1500000.00", "高新区"),
]
# The construction projects' total investment, and the sales' appraised values (yuan), as the
# statistics read them.
INVESTMENT = {OPEN_FOR_BIDS: "62000000.00", EVALUATED: "15600000.00", OPENING: "45000000.00"}
APPRAISED = {LISTED: "34500000.00", AUCTIONED: "505000000.00", FAILED: "46000000.00"}

# The centre's own notices: (days before loading, pinned, title, text).
NOTICES = [
    (30, True, "关于全面推行全流程电子化交易的通知",
     "自即日起，本中心受理的工程建设、政府采购、产权、土地和人力资源项目全部实行全流程电子化交易：投标文件在线加密递交，"
     "开标由密钥保管人在线出示密钥份额解密，竞价在线进行。投标人须提前注册企业并完成主体信息核验。"),
    (12, False, "交易系统例行维护公告",
     "本中心将于周六22:00至次日02:00对交易系统进行例行维护，期间暂停投标文件递交和在线竞价，已安排的开标和竞价不受影响。"),
    (2, False, "关于投标保证金缴纳方式的提示",
     "投标保证金应从投标人基本账户转入公告载明的保证金专户，银行到账通知自动匹配报名记录；"
     "未能自动匹配的，请携带转账凭证联系本中心核对。"),
]

# Steps the apps above bidding take before each of the demo's sessions starts (supervisors: the demo
# regulator checks in to a major session); they register when they are ready.
_before_session: list = []


def demo_before_session_register(step) -> None:
    """``step(lot=, session_kind=)`` runs before the demo's opening, evaluation and auction start."""
    if step not in _before_session:
        _before_session.append(step)


def demo_before_session(*, lot, session_kind: str) -> None:
    for step in _before_session:
        step(lot=lot, session_kind=session_kind)


# Steps the parts above the apps take once the demo is loaded, in the same transaction (monitoring's
# ratings: two bidders rate an opening); they register when they are ready.
_after_load: list = []


def demo_after_load_register(step) -> None:
    """``step()`` runs at the end of ``demo_load``, in the present."""
    if step not in _after_load:
        _after_load.append(step)


def demo_after_load() -> None:
    for step in _after_load:
        step()


def demo_loaded() -> bool:
    return User.objects.filter(username="demo_staff").exists()

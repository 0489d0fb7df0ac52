"""Demo supervision: the demo supervisor watches the demo lots whose opening room has something to
show, with a note begun on one of them. ``load_demo`` calls it after ``bidding.demo.demo_load``
(which makes the projects and accounts), in the same transaction."""
from bidding.demo import AUCTIONED, EVALUATED, OPEN_FOR_BIDS, OPENING
from supervisors.models import Assignment
from supervisors.services import assignment_create, observation_note_save
from supervisors.sessions.selectors import lot_is_major
from supervisors.sessions.services import official_check_in
from trading.models import Lot, User

ACTOR = "system:demo"
SUPERVISOR = "demo_supervisor"
REGULATOR = "demo_regulator"
# Project codes of bidding.demo.PROJECTS: open for bids, the opening due minutes after loading, the
# live auction, and opened (the note's, last).
LOTS = [OPEN_FOR_BIDS, OPENING, AUCTIONED, EVALUATED]
NOTE = ("开标：密钥份额按时出示，开标记录已公布，投标人未提出异议。\n"
        "待补充：评标过程与候选人公示情况。")


def demo_supervision_load() -> None:
    supervisor = User.objects.get(username=SUPERVISOR)
    for code in LOTS:
        lot = Lot.objects.filter(project__code=code).first()
        if lot is None or Assignment.objects.filter(lot=lot, supervisor=supervisor, revoked_at__isnull=True).exists():
            continue
        assignment_create(lot_id=lot.pk, supervisor_id=supervisor.pk, actor=ACTOR)
    noted = Lot.objects.filter(project__code=LOTS[-1]).first()
    if noted is not None:
        observation_note_save(lot_id=noted.pk, user=supervisor, text=NOTE)


def demo_official_check_in(*, lot, session_kind: str) -> None:
    """The demo regulator attends a major lot's session (opening, evaluation, live auction) before it
    starts, as the rule wants (supervisors.sessions.services.officials); registered with bidding's
    demo (supervisors.apps)."""
    if lot_is_major(lot=lot):
        official_check_in(lot_id=lot.pk, session_kind=session_kind, user=User.objects.get(username=REGULATOR))

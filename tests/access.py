"""The authorisation matrix's world and its requests (issue 22 §1; the table is ``tests/access_table.py``).

The world is the demo (``load_demo``) and four people it lacks: a bidder company registered only on
another lot, an expert on no panel, and two social supervisors with nothing else, one assigned to
the lots still running and one assigned to none. Each endpoint is asked with the ids of objects that
exist, chosen for the endpoint's kind (an opening's endpoint gets the lot being opened, an
evaluation's the awarded lot, which has its panel), owned by bidder A where they have an owner, so a
refusal is about who asks and not about a missing object.

Each request runs in a transaction that is rolled back, so what one answer changes (a POST that an
allowed role may make) never changes the next one; the signed-in session's cookie is put back after
each request, so a sign-out does not sign the role out of the rest of the matrix."""
from dataclasses import dataclass, field
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bidding.demo import AUCTIONED, AWARDED, EVALUATED, LISTED, OPEN_FOR_BIDS, OPENING
from bidding.evaluation.services.panel import expert_register
from bidding.evaluation.models import AwardProposal, Evaluation, Notice, PanelMember
from bidding.sales.models import Auction
from bidding.sealed.models import Bid, BidderKey
from monitoring.archive.models import LotArchive
from monitoring.assessment.models import Assessment
from monitoring.integrity.models import Finding, Flag
from monitoring.ratings.models import Rating, Service
from monitoring.statistics.models import YearlyReport
from monitoring.supervision.models import Alert
from supervisors.models import Assignment
from supervisors.registry.models import Supervisor
from supervisors.sessions.models import ObservationReport
from supervisors.regulation.services import public_report_file
from supervisors.services import assignment_create
from trading.models import (Announcement, CalendarAlert, Deposit, Lot, LotDocument, Notification, OrganisationChange,
                            Registration, Role, RoleChange, Rule, RuleChange, User)
from trading.services.parties import organisation_create, user_create
from trading.services.registrations import registration_create
from trading.validators import resident_id_check_character, uscc_check_character

# The matrix's columns, in the table's order.
ROLES = ("anon", "bidder_a", "bidder_b", "bidder_other", "staff", "custodian", "expert_on", "expert_off",
         "supervisor_on", "supervisor_off", "regulator", "security")
PASSWORD = "access-matrix-2026"
ACTOR = "system:test"


class _Rollback(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


@dataclass
class World:
    users: dict = field(default_factory=dict)
    lots: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    # What only some may read: name → (the bytes as they would show in a page or an API answer, the
    # roles that may read them).
    secrets: dict = field(default_factory=dict)


def _uscc(body: str) -> str:
    return body + uscc_check_character(body)


def _resident_id(body: str) -> str:
    return body + resident_id_check_character(body)


def _first(queryset) -> int:
    """The first object's id, or 0: an id nothing has (the answer is then the endpoint's 404)."""
    found = queryset.order_by("pk").values_list("pk", flat=True).first()
    return found or 0


def world_build() -> World:
    call_command("load_demo", stdout=StringIO())
    world = World()
    world.lots = {name: Lot.objects.get(project__code=code) for name, code in (
        ("open", OPEN_FOR_BIDS), ("opening", OPENING), ("evaluated", EVALUATED), ("awarded", AWARDED),
        ("auction", AUCTIONED), ("listing", LISTED))}
    other = organisation_create(name="矩阵另标工程有限公司", uscc=_uscc("91330100MA0000099"), kind="bidder", actor=ACTOR)
    bidder_other = user_create(username="matrix_bidder_other", password=PASSWORD, roles=[Role.BIDDER], actor=ACTOR,
                               organisation=other)
    registration_create(lot_id=world.lots["open"].pk, user=bidder_other)
    expert_off = user_create(username="matrix_expert_off", password=PASSWORD, roles=[Role.EXPERT], actor=ACTOR,
                             resident_id=_resident_id("33010219800101999"))
    expert_register(user=expert_off, specialties=["goods"], employer_name="矩阵专家单位")
    supervisor_on = user_create(username="matrix_supervisor_on", password=PASSWORD, roles=[Role.SUPERVISOR],
                                actor=ACTOR, resident_id=_resident_id("11010519491231002"))
    supervisor_off = user_create(username="matrix_supervisor_off", password=PASSWORD, roles=[Role.SUPERVISOR],
                                 actor=ACTOR, resident_id=_resident_id("11010519491231003"))
    for name in ("open", "opening", "evaluated", "auction"):
        assignment_create(lot_id=world.lots[name].pk, supervisor_id=supervisor_on.pk, actor=ACTOR)
    awarded = world.lots["awarded"]
    evaluation = Evaluation.objects.get(lot=awarded)
    expert_on = PanelMember.objects.filter(evaluation=evaluation).select_related("user").first().user
    world.users = {"anon": None, "bidder_a": User.objects.get(username="demo_bidder"),
                   "bidder_b": User.objects.get(username="demo_bidder_2"), "bidder_other": bidder_other,
                   "staff": User.objects.get(username="demo_staff"),
                   "custodian": User.objects.get(username="demo_custodian"), "expert_on": expert_on,
                   "expert_off": expert_off, "supervisor_on": supervisor_on, "supervisor_off": supervisor_off,
                   "regulator": user_create(username="matrix_regulator", password=PASSWORD,
                                            roles=[Role.REGULATOR], actor=ACTOR),
                   "security": User.objects.get(username="demo_security")}
    a = world.users["bidder_a"]
    report = public_report_file(text="矩阵举报：评标现场有人打电话。", lot_id=world.lots["evaluated"].pk,
                                reporter=world.users["bidder_b"], contact="举报联系人 13800009999")
    world.ids = _ids(world, a, evaluation, expert_on)
    world.ids.update(report_id=report.pk, token=report.follow_token)
    world.secrets = _secrets(world, a, report)
    return world


def _secrets(world: World, a: User, report) -> dict:
    """Bidder A's deposit reference, key fingerprint and unopened bid's hash, and the reporter's contact."""
    deposit = Deposit.objects.filter(registration__organisation=a.organisation,
                                     registration__lot=world.lots["opening"]).order_by("pk").first()
    bid = Bid.objects.filter(lot=world.lots["opening"], organisation=a.organisation).order_by("pk").first()
    key = BidderKey.objects.filter(registration__organisation=a.organisation).order_by("pk").first()
    return {"A's deposit reference": (deposit.reference.encode(), {"bidder_a", "staff"}),
            "A's unopened bid": (bid.envelope_sha256.encode(), {"bidder_a"}),
            "A's key": (key.fingerprint.encode(), {"bidder_a"}),
            "the reporter's contact": (report.contact.encode(), {"regulator"})}


def _ids(world: World, a: User, evaluation: Evaluation, expert_on: User) -> dict:
    lots = world.lots
    registration = Registration.objects.filter(organisation=a.organisation)
    assignment = Assignment.objects.filter(supervisor=world.users["supervisor_on"], lot=lots["evaluated"])
    return {
        "bid_id": _first(Bid.objects.filter(lot=lots["opening"], organisation=a.organisation)),
        "registration_id": _first(registration.filter(lot=lots["opening"])),
        "auction_id": _first(Auction.objects.filter(lot=lots["auction"])),
        "evaluation_id": evaluation.pk,
        "member_id": _first(PanelMember.objects.filter(evaluation=evaluation, user=expert_on)),
        "proposal_id": _first(AwardProposal.objects.filter(lot=lots["awarded"])),
        "notice_id": _first(Notice.objects.filter(organisation=a.organisation)),
        "supervisor_id": _first(Supervisor.objects.all()),
        "assignment_id": _first(assignment),
        "deposit_id": _first(Deposit.objects.filter(registration__in=registration)),
        "announcement_id": _first(Announcement.objects.filter(lot=lots["open"])),
        "project_id": lots["open"].project_id,
        "document_id": _first(LotDocument.objects.filter(lot=lots["open"])),
        "notification_id": _first(Notification.objects.filter(user=a)),
        "change_id": _first(OrganisationChange.objects.all()),
        "role_change_id": _first(RoleChange.objects.all()),
        "rule_change_id": _first(RuleChange.objects.all()),
        "rule_id": _first(Rule.objects.all()),
        "user_id": world.users["bidder_b"].pk,
        "alert_id": _first(Alert.objects.all()),
        "calendar_alert_id": _first(CalendarAlert.objects.all()),
        "flag_id": _first(Flag.objects.all()),
        "finding_id": _first(Finding.objects.all()),
        "rating_id": _first(Rating.objects.all()),
        "service_id": _first(Service.objects.filter(organisation=a.organisation)),
        "assessment_id": _first(Assessment.objects.all()),
        "archive_id": _first(LotArchive.objects.all()),
        "statistics_report_id": _first(YearlyReport.objects.all()),
        "observation_report_id": _first(ObservationReport.objects.all()),
        "year": timezone.localdate().year,
    }


def clients(world: World) -> dict:
    made = {}
    for role, user in world.users.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        made[role] = client
    return made


def ask(client: Client, method: str, path: str):
    """``method path`` as ``client``, rolled back; the client's cookies as they were before."""
    cookies = client.cookies
    client.cookies = cookies.__class__(cookies)
    try:
        with transaction.atomic():
            raise _Rollback(client.generic(method, path, data=b"" if method != "GET" else "",
                                           content_type="application/json" if path.startswith("/api/") else
                                           "application/x-www-form-urlencoded"))
    except _Rollback as rolled_back:
        return rolled_back.response
    finally:
        client.cookies = cookies

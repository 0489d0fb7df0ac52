"""What the header and the workbenches offer each person: the links their roles allow, in one order.

A person is shown a link only where its page admits them, so the header never leads to a refusal.
Besides roles, two links follow the person's organisation (its company page for a bidding company's
people, the panels for a tenderee's representatives) and one the superuser flag; they are the
"audiences" below, beside the roles."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trading.models import Organisation, Role

# Audiences that are not roles.
EVERYONE = "everyone"
BIDDING_COMPANY = f"organisation:{Organisation.Kind.BIDDER}"
TENDEREE = f"organisation:{Organisation.Kind.TENDEREE}"
SUPERUSER = "superuser"


@dataclass(frozen=True)
class Link:
    name: str  # the URL name
    label: str
    testid: str = ""

    @property
    def url(self) -> str:
        return reverse(self.name)


@dataclass(frozen=True)
class Workbench:
    role: str  # the audience it serves
    name: str  # the URL name of its page
    title: str


# Each person's workbenches, in the order /workbench/ picks the first of. The supervisor's is the
# registry's page, the company administrator's and the security administrator's are their existing
# pages: nothing of theirs is duplicated here. They come after this app's pages, whose tabs lead to
# all of a person's workbenches (theirs have none), and each has its own link in the header.
WORKBENCHES = [
    Workbench(Role.BIDDER, "workbench-bidder", _("Bidder workspace")),
    Workbench(Role.STAFF, "workbench-staff", _("Trading-centre workspace")),
    Workbench(Role.REGULATOR, "workbench-regulator", _("Regulator workspace")),
    Workbench(Role.EXPERT, "workbench-expert", _("Expert workspace")),
    Workbench(TENDEREE, "workbench-expert", _("Expert workspace")),
    Workbench(Role.CUSTODIAN, "workbench-custodian", _("Key custodian workspace")),
    Workbench(Role.SUPERVISOR, "supervision-workbench", _("Social supervisor workspace")),
    Workbench(Role.COMPANY_ADMIN, "company-mine", _("Company administrator workspace")),
    Workbench(Role.SECURITY_ADMIN, "security-people", _("Security administrator workspace")),
]

SUPERVISION = Link("supervision-dashboard", _("Supervision"), "nav-supervision")
ALERTS = Link("supervision-alerts", _("Alerts"), "nav-alerts")
PANELS = Link("panel-mine", _("My panels"), "nav-panel")

# What each audience may see in the header, in the order shown; a person with several audiences sees
# the union in this table's order, each link once.
NAV = {
    EVERYONE: [Link("announcement-list", _("Announcements")), Link("lot-list", _("Lots")),
               Link("statistics", _("Statistics"), "nav-statistics"),
               Link("report-file", _("Report a violation"), "nav-report")],
    Role.STAFF: [SUPERVISION, ALERTS,
                 Link("registration-staff", _("Registrations"), "nav-registrations"),
                 Link("registration-refunds", _("Refunds"), "nav-refunds"),
                 Link("inquiries-mine", _("Inquiries to answer"), "nav-inquiries-to-answer"),
                 Link("staff-challenges", _("Challenges"), "nav-challenges"),
                 Link("company-reviews", _("Company reviews"), "nav-company-reviews"),
                 Link("staff-supervisors", _("Supervisor registry"), "nav-supervisor-registry"),
                 Link("ratings-staff", _("Service ratings"), "nav-ratings"),
                 Link("archive-register", _("Archive"), "nav-archive"),
                 Link("availability", _("Platform availability"), "nav-availability")],
    Role.REGULATOR: [SUPERVISION, ALERTS,
                     Link("review-queue", _("Award review"), "nav-review"),
                     Link("regulator-complaints", _("Complaints"), "nav-complaints"),
                     Link("regulator-reports", _("Public reports"), "nav-reports"),
                     Link("regulator-inquiries", _("Inquiries"), "nav-inquiries"),
                     Link("regulator-statistics", _("Statistics and drill-down"), "nav-regulator-statistics"),
                     Link("regulator-flags", _("Red flags"), "nav-flags"),
                     Link("regulator-patterns", _("Patterns across lots"), "nav-patterns"),
                     Link("ratings-staff", _("Service ratings"), "nav-ratings"),
                     Link("archive-register", _("Archive"), "nav-archive"),
                     Link("availability", _("Platform availability"), "nav-availability")],
    Role.BIDDER: [Link("complaints-mine", _("My complaints"), "nav-my-complaints"),
                  Link("ratings-mine", _("My services"), "nav-my-services")],
    Role.STAFF_MANAGER: [Link("assessment-manage", _("Staff assessment"), "nav-assessment")],
    Role.EXPERT: [PANELS],
    TENDEREE: [PANELS],
    Role.SUPERVISOR: [Link("supervision-workbench", _("Supervisor's workbench"), "nav-workbench")],
    BIDDING_COMPANY: [Link("company-mine", _("My company"), "nav-company")],
    Role.SECURITY_ADMIN: [Link("security-people", _("People and roles"), "nav-security")],
    SUPERUSER: [Link("security-people", _("People and roles"), "nav-security")],
}


def audiences(user) -> set[str]:
    """The audiences ``user`` belongs to: everyone's, and for a signed-in person their roles, their
    organisation's kind and the superuser flag. The roles are one query, remembered on the user (as
    the pages' own checks ask them too); the organisation one more where the person has one."""
    if user is None or not user.is_authenticated:
        return {EVERYONE}
    found = {EVERYONE, *user.role_set}
    if user.organisation_id is not None:
        found.add(f"organisation:{user.organisation.kind}")
    if user.is_superuser:
        found.add(SUPERUSER)
    return found


def nav_links(user) -> list[Link]:
    """The header's links for ``user``, each once: the public ones, "My workbench" (the first of the
    person's workbenches, unless a link of their roles leads there already), then their roles'."""
    mine = audiences(user)
    links, seen = [], set()
    for audience, entries in NAV.items():
        if audience in mine:
            links += [link for link in entries if link.name not in seen]
            seen.update(link.name for link in entries)
    benches = workbenches_of(user, mine)
    if benches and benches[0].name not in seen:
        links.insert(len(NAV[EVERYONE]), Link(benches[0].name, _("My workbench"), "nav-workbenches"))
    return links


def workbenches_of(user, mine: set[str] | None = None) -> list[Workbench]:
    """``user``'s workbenches, in WORKBENCHES' order, each page once."""
    mine = audiences(user) if mine is None else mine
    found, seen = [], set()
    for bench in WORKBENCHES:
        if bench.role in mine and bench.name not in seen:
            seen.add(bench.name)
            found.append(bench)
    return found


@dataclass(frozen=True)
class Tool:
    """A page of a role's work, with what it is for (the home page's cards)."""
    name: str
    title: str
    text: str

    @property
    def url(self) -> str:
        return reverse(self.name)


# The home page's part for each role, in this order: its title, what its list is about, and the
# pages of its work.
HOME = [
    (Role.BIDDER, _("Bidder workspace"), "", [
        Tool("lot-list", _("Find lots"), _("Lots of every market open for registration, with their schedule and status.")),
        Tool("announcement-list", _("Announcements"), _("Tender and listing announcements, amendments and results.")),
        Tool("company-mine", _("Your company"), _("Bids are made in its name and unified social credit code; its administrator keeps its particulars and people.")),
        Tool("api-docs", _("Connect your own system"), _("Use the REST API with a token to follow lots and submit sealed bids.")),
        Tool("ratings-mine", _("Rate our services"), _("Rate each service the centre rendered you, from very satisfied to very dissatisfied; a bad rating is answered.")),
    ]),
    (Role.COMPANY_ADMIN, _("Company administrator workspace"), "", [
        Tool("company-mine", _("Your company's people"), _("Add and remove the people who act for your company; ask staff to record a change of its particulars.")),
    ]),
    (Role.STAFF, _("Trading-centre workspace"), "", [
        Tool("staff-lot-list", _("Projects and lots"), _("Create, review and publish projects; follow every lot's status.")),
        Tool("registration-staff", _("Registrations and deposits"), _("Approve or reject registrations that need review; record deposits that came without a bank notification.")),
        Tool("registration-refunds", _("Deposit refunds"), _("Deposits to pay back, the most urgent first; record each refund's bank reference.")),
        Tool("company-reviews", _("Company reviews"), _("Approve or refuse companies that signed up, and their changes of particulars.")),
        Tool("calendar", _("Working-day calendar"), _("Holidays and make-up workdays; confirm each year once it is official.")),
        Tool("rules", _("Rule table"), _("Time limits and thresholds with their legal limits; a change needs a second person.")),
        Tool("staff-supervisors", _("Social supervisor registry"), _("Recommend, vet and appoint social supervisors; sanctions, evaluations and renewals.")),
        Tool("admin:index", _("Reference data"), _("Markets and procedures; people, companies and rules are looked up there and changed on their own pages.")),
        Tool("ratings-staff", _("Service ratings"), _("Parties' ratings of the centre's services; answer each bad rating within its limit.")),
        Tool("archive-register", _("Archive register"), _("Each finished lot's whole record, signed and kept write-once; download and verify it offline.")),
        Tool("assessment-mine", _("My assessment"), _("Your results per period with their breakdown.")),
    ]),
    (Role.STAFF_MANAGER, _("Staff assessment workspace"), "", [
        Tool("assessment-manage", _("Staff assessment"), _("Edit the indicators' weights, open an assessment for a staff member, enter the qualitative indicators and finalise.")),
    ]),
    (Role.REGULATOR, _("Regulator workspace"), "", [
        Tool("audit-status", _("Audit trail"), _("Check that the record of every step is complete and unaltered.")),
        Tool("lot-list", _("Projects and lots"), _("Follow every lot and review awards.")),
        Tool("regulator-statistics", _("Statistics"), _("The centre's figures by market, period and tenderee type, each with the lots behind it; exports and the yearly report.")),
        Tool("regulator-flags", _("Red flags"), _("Signs of collusion found at each opening and award, with the bids and values behind them.")),
        Tool("regulator-patterns", _("Patterns across lots"), _("Bidders who keep bidding together, cover bidders, winners in rotation, outliers: the nightly analysis with its evidence.")),
        Tool("archive-register", _("Archive register"), _("Each finished lot's whole record, signed and kept write-once; download and verify it offline.")),
    ]),
    (Role.SUPERVISOR, _("Social supervisor workspace"),
     _("Accept or recuse from the sessions you are drawn for, your certificate and term, reports due."), []),
    (Role.CUSTODIAN, _("Key custodian workspace"),
     _("At an opening you hold a share for, you present it with your passphrase; k of n custodians open the bids together."), [
        Tool("custodian-key", _("Your custodian key"), _("Make the key your shares are sealed to; only your passphrase unlocks it.")),
    ]),
    (Role.EXPERT, _("Expert workspace"), _("Panels you are drawn for appear here; declare any conflict before you see a bid."), [
        Tool("panel-mine", _("My panels"), _("Declare for the panels you are drawn for, then score each opened bid.")),
    ]),
    (Role.SECURITY_ADMIN, _("Security administrator workspace"), "", [
        Tool("security-people", _("People and roles"), _("Grant and revoke roles with a reason; lock and unlock accounts.")),
        Tool("security-proposals", _("Grants awaiting a second person"), _("Regulator and custodian grants take two security administrators.")),
        Tool("security-history", _("Grant history"), _("Every grant and revocation: who, whom, which role, why and when.")),
    ]),
]

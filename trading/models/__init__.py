from trading.accounts.models import OrganisationChange, RoleChange
from trading.models.announcements import Announcement, CentreNotice
from trading.models.availability import DeadlineExtension, Outage, Part, PartState
from trading.models.calendar import CalendarAlert, CalendarDay, CalendarYear
from trading.models.documents import DocumentDownload, LotDocument
from trading.models.enquiries import Enquiry
from trading.models.holds import LotHold
from trading.models.lots import Lot, LotStatusChange, Market, Procedure, Project
from trading.models.notifications import Delivery, Notification
from trading.models.objections import DocumentObjection
from trading.models.parties import (
    SECOND_FACTOR_ROLES,
    TWO_PERSON_ROLES,
    LoginFailure,
    Organisation,
    Role,
    User,
    UserRole,
)
from trading.models.registrations import BankNotification, Deposit, Registration
from trading.models.rules import Rule, RuleChange, RuleCode, RuleSense, RuleUnit

__all__ = [
    "SECOND_FACTOR_ROLES", "TWO_PERSON_ROLES",
    "DeadlineExtension", "Outage", "Part", "PartState",
    "Announcement", "BankNotification", "CalendarAlert", "CentreNotice", "CalendarDay", "CalendarYear", "Delivery", "Deposit",
    "DocumentDownload",
    "DocumentObjection", "Enquiry", "LoginFailure", "Lot", "LotDocument", "LotHold", "LotStatusChange", "Market",
    "Notification", "Organisation", "OrganisationChange", "Procedure", "Project", "Registration", "Role",
    "RoleChange", "Rule", "RuleChange", "RuleCode", "RuleSense", "RuleUnit", "User", "UserRole",
]

"""Shared pieces of the assessment's tests: a staff manager, a second staff member, and October 2026
of one staff member's work played through the real services on the real calendar: a lot they
reviewed, two questions they answered (rated 非常满意 and 不满意 by the askers), an objection they
answered late (a red alert on the lot), and a complaint about the lot the regulator upheld."""
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import time_machine

from monitoring.assessment.models import Assessment
from monitoring.assessment.services import assessment_open
from monitoring.ratings.models import Service
from monitoring.ratings.services import rating_give, services_sweep
from monitoring.supervision.models import Alert
from monitoring.supervision.services import alerts_sweep
from supervisors.complaints.models import Complaint
from supervisors.complaints.services import complaint_accept, complaint_decide, complaint_file
from trading.models import DocumentObjection, Lot
from trading.services.enquiries import enquiry_answer, enquiry_ask
from trading.services.lots import lot_publish, lot_submit
from trading.services.objections import objection_file, objection_reply
from trading.services.registrations import registration_create
from trading.workdays import CHINA

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
# Values the manager enters for October: 德 90, 能 85, 勤 80, 绩 88.
ENTERED = {"morality": "90", "ability": "85", "diligence": "80", "achievement": "88"}


def china(*parts) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def at(*parts):
    """Time frozen at a China wall-clock instant."""
    return time_machine.travel(china(*parts), tick=False)


@pytest.fixture
def manager(make_person):
    """The head of the department: staff, and the staff manager who assesses the others."""
    return make_person("manager", ["staff", "staff_manager"])


@pytest.fixture
def staff_b(make_person):
    return make_person("staff_b", ["staff"])


@dataclass
class Month:
    lot: Lot
    objection: DocumentObjection
    complaint: Complaint
    alert: Alert


@pytest.fixture
def october(make_lot, staff, bidder_a, bidder_b, regulator) -> Month:
    actor = f"user:{staff.pk}"
    with at(2026, 10, 12, 9, 0):  # a Monday
        lot = make_lot("construction", days=25)
        lot_submit(lot_id=lot.pk, actor=actor)
    with at(2026, 10, 12, 9, 30):  # reviewed and published within the hour: on time
        lot_publish(lot_id=lot.pk, title="招标公告", body="……", actor=actor)
    with at(2026, 10, 12, 10, 0):
        enquiries = []
        for bidder in (bidder_a, bidder_b):
            registration_create(lot_id=lot.pk, user=bidder)
            enquiries.append(enquiry_ask(lot_id=lot.pk, user=bidder, question="工期是否含冬季停工期？"))
    with at(2026, 10, 12, 11, 0):  # both answered the same morning: on time
        for enquiry in enquiries:
            enquiry_answer(enquiry_id=enquiry.pk, answer="含冬季停工期。", actor=actor)
    with at(2026, 10, 12, 14, 0):
        objection = objection_file(lot_id=lot.pk, user=bidder_a, text="资格条件第3.2条与评标办法矛盾，请澄清。")
    with at(2026, 10, 13, 10, 0):  # the askers rate the answers
        services_sweep()
        for bidder, level, comment in ((bidder_a, 5, ""), (bidder_b, 2, "答复过于简单，未说明依据。")):
            service = Service.objects.get(organisation=bidder.organisation, kind=Service.Kind.ENQUIRY_ANSWER)
            rating_give(service_id=service.pk, user=bidder, level=level, comment=comment)
    with time_machine.travel(objection.reply_due_at.replace(minute=30), tick=False):
        alerts_sweep()  # the reply is overdue: red
    alert = Alert.objects.get(rule="documents_objection_reply", lot=lot)
    assert alert.level == Alert.Level.RED
    with at(2026, 10, 20, 10, 0):  # answered late
        objection_reply(objection_id=objection.pk, reply="以资格条件为准。", actor=actor)
    with at(2026, 10, 21, 9, 0):
        complaint = complaint_file(lot_id=lot.pk, user=bidder_b, act="对异议答复不服",
                                   grounds="资格条件排斥本地以外的投标人。", known_on=date(2026, 10, 20))
        complaint_accept(complaint_id=complaint.pk, actor=f"user:{regulator.pk}")
    with at(2026, 10, 22, 10, 0):
        complaint = complaint_decide(complaint_id=complaint.pk, outcome="upheld", reasons="资格条件违反招标投标法第十八条。",
                                     actor=f"user:{regulator.pk}")
    objection.refresh_from_db()
    return Month(lot=lot, objection=objection, complaint=complaint, alert=alert)


@pytest.fixture
def october_assessment(october, staff, manager) -> Assessment:
    with at(2026, 11, 2, 9, 0):
        return assessment_open(person_id=staff.pk, manager=manager, period_start=OCTOBER[0], period_end=OCTOBER[1])

"""What pages say of a recorded event: a phrase for its kind, what changed, and who did it.

The audit chain keeps stable codes (``lot.status_changed``, ``user:2``) because they are what a
verifier checks; people read these words instead. The rooms' logs, the supervision dashboard, the
alert page and the admin take their phrases from here, so an event reads the same everywhere.
"""
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trading.accounts.selectors import actor_name, actor_names
from trading.models import Lot
from trading.money import yuan_pattern

KINDS = {
    # lots and their announcements
    "project.created": _("Project created"),
    "lot.created": _("Lot created"),
    "lot.updated": _("Lot updated"),
    "lot.opening_key_made": _("Opening key made"),
    "lot.status_changed": _("Status changed"),
    "lot.amended": _("Amendment"),
    "lot.bids_counted": _("Sealed bids counted"),
    "lot.retendered": _("Tendered again"),
    "lot.suspension_ordered": _("Suspension ordered"),
    "lot.suspension_lifted": _("Suspension lifted"),
    "lot.deadline_extended": _("Bid deadline extended after a platform outage"),
    "availability.outage_opened": _("Platform outage began"),
    "availability.outage_closed": _("Platform outage ended"),
    "availability.outage_recorded": _("Platform outage recorded afterwards"),
    "availability.incident_declared": _("Platform incident declared"),
    "availability.incident_changed": _("Platform incident changed"),
    "availability.refused": _("Platform incident refused"),
    "announcement.published": _("Announcement published"),
    "announcement.corrected": _("Announcement corrected"),
    "document.uploaded": _("Document uploaded"),
    "document.downloaded": _("Document downloaded"),
    "enquiry.asked": _("Question asked"),
    "enquiry.answered": _("Question answered"),
    "objection.filed": _("Objection to the documents filed"),
    "objection.replied": _("Objection to the documents answered"),
    # registrations, deposits and bids
    "registration.created": _("Registration received"),
    "registration.approved": _("Registration approved"),
    "registration.rejected": _("Registration rejected"),
    "registration.withdrawn": _("Registration withdrawn"),
    "registration.retender_notified": _("Registered bidders told of the new tender"),
    "deposit.received": _("Deposit received"),
    "deposit.refund_due": _("Deposit refund due"),
    "deposit.refunded": _("Deposit refunded"),
    "deposit.kept": _("Deposit kept"),
    "bank.notification_refused": _("Bank notification refused"),
    "bid.sealed": _("Sealed bid received"),
    "bid.received": _("Sealed bid received"),
    "bid.withdrawn": _("Sealed bid withdrawn"),
    "sealed.access_refused": _("Access to sealed bids refused"),
    "custodian.key_created": _("Custodian key made"),
    "custodian.passphrase_failed": _("Wrong custodian passphrase"),
    # the opening
    "opening.share_presented": _("Key share presented"),
    "opening.bid_opened": _("Bid opened"),
    "opening.record_published": _("Record published"),
    "opening.confirmed": _("Record confirmed"),
    "opening.objection": _("Objection"),
    "opening.objection_answered": _("Objection answered"),
    "opening.closed": _("Opening closed"),
    "opening.checked_in": _("Bidder checked in"),
    "opening.window_opened": _("Decryption window opened"),
    "opening.part_released": _("Bidder decrypted its bid"),
    "opening.window_extended": _("Decryption window extended after an outage"),
    "opening.window_closed": _("Decryption window closed"),
    "opening.paused": _("Opening paused"),
    "opening.resumed": _("Opening resumed"),
    "opening.question": _("Question in the hall"),
    "opening.question_answered": _("Question answered"),
    "opening.deemed_confirmed": _("Record confirmed by silence"),
    "hall.checked_in": _("Checked in to the opening hall"),
    "hall.refused": _("Refused in the opening hall"),
    "hall.refused_repeatedly": _("Refused repeatedly in the opening hall"),
    "opening.reserve_reveal_started": _("Reserve reveal started"),
    "opening.reserve_revealed": _("Reserve revealed"),
    # evaluation and award
    "evaluation.created": _("Evaluation set up"),
    "evaluation.panel_drawn": _("Evaluation panel drawn"),
    "evaluation.scoring_started": _("Scoring started"),
    "evaluation.sheet_submitted": _("Score sheet handed in"),
    "evaluation.sheet_changed": _("Score sheet changed"),
    "evaluation.reported": _("Evaluation report signed"),
    "panel.drawn": _("Experts drawn"),
    "panel.seat_open": _("Panel seat open"),
    "panel.member_confirmed": _("Expert confirmed"),
    "panel.member_declined": _("Expert declined"),
    "panel.member_recused": _("Expert recused"),
    "panel.representative_added": _("Tenderee's representative added"),
    "candidates.objection_filed": _("Objection to the candidates filed"),
    "candidates.objection_replied": _("Objection to the candidates answered"),
    "award.proposed": _("Award proposed"),
    "award.submitted": _("Award submitted for review"),
    "award.approved": _("Award approved"),
    "award.returned": _("Award returned"),
    "award.review_refused": _("Award review refused"),
    "award.contract_recorded": _("Contract recorded"),
    # listings, auctions and sales
    "listing.terms_set": _("Listing terms set"),
    "listing.quote_accepted": _("Quote accepted"),
    "listing.reserve_sealed": _("Reserve sealed"),
    "listing.bidder_continues": _("Bidder continues to the auction"),
    "listing.closed": _("Listing closed"),
    "auction.scheduled": _("Auction scheduled"),
    "auction.start_held": _("Auction start held"),
    "auction.opened": _("Free bidding opened"),
    "auction.countdown_started": _("Countdown started"),
    "auction.bid_accepted": _("Bid accepted"),
    "auction.ended": _("Auction ended"),
    "sale.deal_confirmed": _("Deal confirmed"),
    "sale.unsold": _("Unsold"),
    # challenges, complaints, regulation
    "challenge.filed": _("Challenge filed"),
    "challenge.replied": _("Challenge answered"),
    "complaint.filed": _("Complaint filed"),
    "complaint.accepted": _("Complaint accepted"),
    "complaint.refused": _("Complaint refused"),
    "complaint.decided": _("Complaint decided"),
    "complaint.suspension_ordered": _("Suspension ordered for a complaint"),
    "regulation.suspension_ordered": _("Suspension ordered by the regulator"),
    "regulation.suspension_lifted": _("Suspension lifted by the regulator"),
    "regulation.refused": _("Regulator's step refused"),
    "report.filed": _("Public report filed"),
    "report.triaged": _("Public report assessed"),
    "report.answered": _("Public report answered"),
    "report.closed": _("Public report closed"),
    "report.rated": _("Answer to a public report rated"),
    "inquiry.asked": _("Inquiry sent"),
    "inquiry.answered": _("Inquiry answered"),
    # supervision
    "session.started": _("Session started"),
    "session.ended": _("Session ended"),
    "supervision.drawn": _("Social supervisors drawn"),
    "supervision.assigned": _("Social supervisor assigned"),
    "supervision.seat_open": _("Supervisor's seat open"),
    "supervision.seat_accepted": _("Supervisor's seat accepted"),
    "supervision.revoked": _("Supervisor's assignment revoked"),
    "supervision.refused": _("Supervisor's step refused"),
    "supervision.recusal_applied": _("Supervisor applied to recuse"),
    "supervision.recusal_decided": _("Supervisor's recusal decided"),
    "supervision.note_saved": _("Observation note saved"),
    "supervision.report_submitted": _("Observation report filed"),
    "supervision.question_asked": _("Question by a social supervisor"),
    "supervision.question_answered": _("Supervisor's question answered"),
    "supervision.stop_requested": _("Stop request by a social supervisor"),
    "supervision.stop_answered": _("Stop request answered"),
    "supervision.objection_recorded": _("Objection by a social supervisor"),
    "supervision.official_checked_in": _("Official present"),
    "supervisor.recommended": _("Supervisor recommended"),
    "supervisor.vetted": _("Supervisor vetted"),
    "supervisor.appointed": _("Supervisor appointed"),
    "supervisor.pledge_accepted": _("Supervisor's pledge accepted"),
    "supervisor.renewed": _("Supervisor's term renewed"),
    "supervisor.term_ending": _("Supervisor's term ending"),
    "supervisor.expired": _("Supervisor's term ended"),
    "supervisor.warned": _("Supervisor warned"),
    "supervisor.suspended": _("Supervisor suspended"),
    "supervisor.reinstated": _("Supervisor reinstated"),
    "supervisor.dismissed": _("Supervisor dismissed"),
    "supervisor.sanctioned": _("Supervisor sanctioned"),
    "supervisor.evaluated": _("Supervisor evaluated"),
    "supervisor.relation_declared": _("Supervisor's relation declared"),
    "supervisor.refused": _("Supervisor's step refused"),
    "alert.raised": _("Alert raised"),
    "alert.escalated": _("Alert turned red"),
    "alert.acknowledged": _("Alert acknowledged"),
    "alert.acknowledge_refused": _("Acknowledgement refused"),
    "alert.resolved": _("Alert resolved"),
    "bidder_key.registered": _("Bidder's key registered"),
    "bidder_key.replaced": _("Bidder's key replaced"),
    "bidder_key.refused": _("Bidder's key refused"),
    "bidder_key.challenge_issued": _("Bidder's key check started"),
    "bidder_key.proved": _("Bidder's key proved"),
    "bidder_key.proof_failed": _("Bidder's key check failed"),
    "bidder_key.proof_failed_repeatedly": _("Bidder's key check failed repeatedly"),
    "integrity.flag_raised": _("Integrity flag raised"),
    "integrity.flags_checked": _("Integrity rules checked"),
    "integrity.patterns_analysed": _("Patterns across lots analysed"),
    "integrity.finding_referred": _("Pattern referred for an inquiry"),
    "rating.given": _("Service rated"),
    "rating.answered": _("Rating answered"),
    "assessment.weights_changed": _("Assessment weights changed"),
    "assessment.opened": _("Staff assessment opened"),
    "assessment.scored": _("Assessment indicator entered"),
    "assessment.finalised": _("Staff assessment finalised"),
    "archive.sealed": _("Lot archived"),
    "statistics.report_issued": _("Yearly report issued"),
    # people, companies, rules
    "user.created": _("Account created"),
    "user.email_verified": _("Email address confirmed"),
    "user.locked": _("Account locked"),
    "user.unlocked": _("Account unlocked"),
    "user.superuser_created": _("Superuser created"),
    "user.superuser_signed_in": _("Superuser signed in"),
    "organisation.created": _("Organisation created"),
    "company.signed_up": _("Company signed up"),
    "company.resubmitted": _("Company sign-up resubmitted"),
    "company.change_requested": _("Change of company details requested"),
    "company.approved": _("Company approved"),
    "company.refused": _("Company refused"),
    "company.change_approved": _("Change of company details approved"),
    "company.change_refused": _("Change of company details refused"),
    "company.user_added": _("Person added to the company"),
    "company.user_removed": _("Person removed from the company"),
    "role.proposed": _("Role proposed"),
    "role.granted": _("Role granted"),
    "role.revoked": _("Role revoked"),
    "role.refused": _("Role change refused"),
    "role.proposal_refused": _("Role proposal refused"),
    "second_factor.enrolled": _("Second factor set up"),
    "second_factor.failed": _("Wrong second-factor code"),
    "second_factor.recovery_used": _("Recovery code used"),
    "second_factor.reset": _("Second factor reset"),
    "rule.change_proposed": _("Rule change proposed"),
    "rule.changed": _("Rule changed"),
    "rule.change_refused": _("Rule change refused"),
    "rule.refused": _("Rule change not allowed"),
    "calendar.day_set": _("Working-day calendar changed"),
    "calendar.year_confirmed": _("Working-day calendar confirmed"),
    "admin.added": _("Added in the admin"),
    "admin.changed": _("Changed in the admin"),
    "admin.deleted": _("Deleted in the admin"),
}


def kind_label(kind: str) -> str:
    """``lot.status_changed`` → "Status changed"; never the code itself."""
    # A kind added later without a phrase still reads as words.
    return str(KINDS.get(kind) or gettext("Recorded step"))


def kind_labels(*areas: str) -> dict[str, str]:
    """The phrases of every kind in ``areas`` (``"lot"``, ``"opening"``…), as a page's script takes them."""
    return {kind: str(label) for kind, label in KINDS.items() if kind.split(".", 1)[0] in areas}


def room_words(*areas: str) -> dict:
    """What a room page's script says of events (``room-page.js``'s ``logEvent`` and ``money``): the
    phrases of the kinds of ``areas``, the lot's statuses for a status change, how money is written."""
    return {"kinds": kind_labels(*areas), "other": gettext("Recorded step"), "statuses": dict(Lot.Status.choices),
            "status_change": gettext("%(label)s: %(from)s → %(to)s"), "unknown": gettext("unknown"),
            "money": yuan_pattern()}


def event_description(kind: str, data: dict | None) -> str:
    """What the event changed, in words: a status change names both statuses."""
    data = data or {}
    label = kind_label(kind)
    if kind == "lot.status_changed" and data.get("to"):
        return gettext("%(label)s: %(from)s → %(to)s") % {
            "label": label, "from": _status(data.get("from")), "to": _status(data["to"])}
    return label


def _status(value) -> str:
    try:
        return str(Lot.Status(value).label)
    except ValueError:
        return gettext("unknown")


def subject_name(subject: str) -> str:
    """What an event or alert is about, for people: a person by name; another subject (``lot:7``,
    ``objection:3``) as it is, the page naming its lot beside it."""
    return actor_name(subject) if subject.startswith("user:") else subject


# What an alert raised by an event keeps of it (``monitoring.supervision``'s ``EventRule.keep``).
DETAIL_LABELS = {
    "entry": _("Audit entry"), "kind": _("Event"), "actor": _("By"), "by": _("By"), "at": _("At"),
    "code": _("Reason code"), "session": _("Session"), "stop_request": _("Stop request"), "flag": _("Flag"),
    "rule": _("Rule"), "role": _("Role"), "action": _("Action"), "proposal": _("Award proposal"),
}
# Shown elsewhere on the alert's page.
DETAILS_SHOWN_ELSEWHERE = {"lot"}


def alert_details(data: dict) -> list[tuple[str, str]]:
    """An alert's data as (label, value) rows in words: the event's phrase, the person's name, the
    time in China time; what has no label of its own keeps its key."""
    rows = []
    names = actor_names(data[key] for key in ("actor", "by") if isinstance(data.get(key), str))
    for key, value in data.items():
        if key in DETAILS_SHOWN_ELSEWHERE:
            continue
        if key == "kind":
            value = kind_label(str(value))
        elif key in ("actor", "by") and isinstance(value, str):
            value = names[value]
        elif key == "at" and isinstance(value, str):
            value = _local_time(value)
        elif key == "entry":
            value = gettext("No. %(n)s") % {"n": value}
        rows.append((str(DETAIL_LABELS.get(key, key)), str(value)))
    return rows


def _local_time(text: str) -> str:
    moment = parse_datetime(text)
    if moment is None:
        return text
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s")

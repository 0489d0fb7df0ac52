"""The workbenches' parts of pages: ``{% home_panel as sections %}`` gives the home page, for the
person signed in, each of their roles' part (what is to do now, with links, and the pages of their
work); ``{% countdown c %}`` prints a live countdown (``static/monitoring/countdown.js``) to a moment
given by the server's clock."""
from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from monitoring.workbenches import navigation
from monitoring.workbenches.selectors import custodian_bench, expert_bench, regulator_bench, staff_bench
from monitoring.workbenches.selectors_bidder import bidder_bench
from monitoring.workbenches.selectors_common import Countdown
from supervisors.registry.selectors import workbench as supervisor_workbench
from trading import clock
from trading.models import Role
from trading.templatetags.money import yuan

register = template.Library()

# How many things to do each role's part lists; its workbench has them all.
SHOWN = 5
# A custodian's coming openings are on the home page from a day before (all are on the workbench).
SOON = 24 * 3600


def remaining(seconds: int) -> str:
    """``3 d 04:05:06`` / ``3天 04:05:06``, ``04:05:06`` under a day, "now" at zero (as countdown.js)."""
    if seconds <= 0:
        return _("now")
    days, rest = divmod(seconds, 86400)
    clock_text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return _("%(days)s d %(clock)s") % {"days": days, "clock": clock_text} if days else clock_text


@register.simple_tag
def countdown(value: Countdown | None) -> str:
    if value is None:
        return ""
    return format_html('<span class="countdown" role="timer" data-testid="countdown" data-countdown="{}" '
                       'data-days="{}" data-now="{}">{}</span>',
                       value.seconds, _("%(days)s d %(clock)s"), _("now"), remaining(value.seconds))


def _lot(lot) -> str:
    return f"{lot.code} {lot.display_title}"


def _item(text: str, url: str, *, at=None, countdown_to: Countdown | None = None) -> dict:
    return {"text": text, "url": url, "at": at, "countdown": countdown_to}


def _bidder(user, now) -> list[dict]:
    bench = bidder_bench(user=user, now=now)
    texts = {"pay": _("Pay the deposit of %(amount)s for %(lot)s"), "submit": _("Seal and submit your bid for %(lot)s"),
             "quote": _("Quote or bid for %(lot)s"), "auction": _("Auction of %(lot)s starts")}
    items = [_item(texts[due.kind] % {"amount": yuan(due.amount), "lot": _lot(due.lot)}, due.url, at=due.at,
                   countdown_to=due.countdown) for due in bench.due]
    items += [_item(_("%(state)s: %(lot)s") % {"state": session.state, "lot": _lot(session.lot)}, session.url,
                    countdown_to=session.countdown)
              for session in bench.sessions if session.countdown is None or session.countdown.seconds == 0]
    return items


def _staff(user, now) -> list[dict]:
    bench = staff_bench(now=now)
    home = reverse("workbench-staff")
    items = []
    if n := bench.overdue_count:
        items.append(_item(ngettext("%(n)s timed step overdue", "%(n)s timed steps overdue", n) % {"n": n}, home))
    if n := len(bench.due) - bench.overdue_count:
        items.append(_item(ngettext("%(n)s timed step due later today", "%(n)s timed steps due later today", n)
                           % {"n": n}, home))
    n = bench.to_review.count
    items.append(_item(ngettext("%(n)s registration to review", "%(n)s registrations to review", n) % {"n": n},
                       bench.to_review.url))
    n = bench.awaiting_deposit.count
    items.append(_item(ngettext("%(n)s registration without its deposit",
                                "%(n)s registrations without their deposit", n) % {"n": n},
                       bench.awaiting_deposit.url))
    n = bench.refunds.count
    items.append(_item(ngettext("%(n)s deposit to refund", "%(n)s deposits to refund", n) % {"n": n},
                       bench.refunds.url))
    if n := len(bench.openings):
        items.append(_item(ngettext("%(n)s opening to host", "%(n)s openings to host", n) % {"n": n}, home))
    if n := len(bench.auctions):
        items.append(_item(ngettext("%(n)s auction to host today", "%(n)s auctions to host today", n) % {"n": n},
                           home))
    return items


def _custodian(user, now) -> list[dict]:
    bench = custodian_bench(user=user, now=now)
    items = [] if bench.has_key else [_item(_("Make your custodian key"), reverse("custodian-key"))]
    items += [_item(_("Present your share now: %(lot)s") % {"lot": _lot(share.lot)}, share.url)
              for share in bench.to_present]
    items += [_item(_("Opening due, once staff start it: %(lot)s") % {"lot": _lot(share.lot)}, share.url)
              for share in bench.due]
    items += [_item(_("Opening at the bid deadline: %(lot)s") % {"lot": _lot(share.lot)}, share.url,
                    at=share.countdown.at, countdown_to=share.countdown)
              for share in bench.upcoming if share.countdown.seconds <= SOON]
    return items


def _expert(user, now) -> list[dict]:
    bench = expert_bench(user=user)
    panels = reverse("panel-mine")
    items = [_item(_("Declare any conflict: %(lot)s") % {"lot": _lot(seat.evaluation.lot)}, panels)
             for seat in bench.to_declare]
    items += [_item(_("Submit your score sheet: %(lot)s") % {"lot": _lot(seat.evaluation.lot)},
                    reverse("panel-scoring", args=[seat.evaluation_id])) for seat in bench.to_score]
    return items


def _supervisor(user, now) -> list[dict]:
    bench = supervisor_workbench(user=user)
    desk = reverse("supervision-workbench")
    items = [_item(_("Accept or recuse: %(lot)s · %(session)s") % {"lot": _lot(seat.lot),
                                                                    "session": seat.get_session_kind_display()}, desk)
             for seat in bench["to_answer"]]
    items += [_item(_("Report due: %(lot)s · %(session)s") % {"lot": _lot(seat.lot),
                                                               "session": seat.get_session_kind_display()},
                    reverse("supervision-report-form", args=[seat.pk])) for seat in bench["reports_due"]]
    due = {seat.pk for seat in bench["reports_due"]}
    items += [_item(_("Watch: %(lot)s · %(session)s") % {"lot": _lot(seat.lot),
                                                          "session": seat.get_session_kind_display()},
                    reverse("supervision-lot", args=[seat.lot_id])) for seat in bench["accepted"] if seat.pk not in due]
    return items


def _regulator(user, now) -> list[dict]:
    bench = regulator_bench(now=now)
    n = bench.awards.count
    items = [_item(ngettext("%(n)s award to review", "%(n)s awards to review", n) % {"n": n}, bench.awards.url)]
    items += [_item(_("Award of %(lot)s to %(bidder)s") % {"lot": _lot(p.lot), "bidder": p.candidate.organisation.name},
                    bench.awards.url) for p in bench.awards.items[:2]]
    n = bench.alerts.count
    items.append(_item(ngettext("%(n)s alert not resolved", "%(n)s alerts not resolved", n) % {"n": n},
                       bench.alerts.url))
    items += [_item(f"{alert.get_level_display()} · {alert.label}" + (f" · {alert.lot.code}" if alert.lot else ""),
                    reverse("supervision-alert", args=[alert.pk]), at=alert.raised_at)
              for alert in bench.alerts.items[:2]]
    n = bench.complaints.count
    items.append(_item(ngettext("%(n)s complaint open", "%(n)s complaints open", n) % {"n": n}, bench.complaints.url))
    n = bench.inquiries.count
    items.append(_item(ngettext("%(n)s inquiry awaiting its answer", "%(n)s inquiries awaiting their answer", n)
                       % {"n": n}, bench.inquiries.url))
    n = bench.reports.count
    items.append(_item(ngettext("%(n)s public report waiting", "%(n)s public reports waiting", n) % {"n": n},
                       bench.reports.url))
    return items


TO_DO = {Role.BIDDER: _bidder, Role.STAFF: _staff, Role.CUSTODIAN: _custodian, Role.EXPERT: _expert,
         Role.SUPERVISOR: _supervisor, Role.REGULATOR: _regulator}
# Roles whose part is a few counts, each with its page, shown whole.
COUNTED = {Role.STAFF, Role.REGULATOR}


@register.simple_tag(takes_context=True)
def home_panel(context) -> list[dict]:
    """The signed-in person's part of the home page: one section per role they hold, in ``HOME``'s
    order, each with what is to do now (``items``: the first ``SHOWN`` of a list, every count of
    ``COUNTED``; None for a role with no list), the link to its workbench and the pages of its work."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    now = clock.now()
    benches = {bench.role: bench for bench in navigation.workbenches_of(user)}
    sections = []
    for role, title, intro, tools in navigation.HOME:
        if not user.has_role(role):
            continue
        items = TO_DO[role](user, now) if role in TO_DO else None
        shown = items if items is None or role in COUNTED else items[:SHOWN]
        bench = benches.get(role)
        sections.append({"role": role.value, "title": title, "intro": intro, "items": shown,
                         "more": items is not None and len(items) > len(shown),
                         "workbench": reverse(bench.name) if bench else "", "tools": tools})
    return sections

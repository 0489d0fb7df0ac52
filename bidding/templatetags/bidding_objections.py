"""``{% open_objections lot as open %}``: a lot's objections awaiting an answer, for the section
``bidding/_open_objections.html`` that trading's staff lot page includes.

A template tag rather than context from the view: the staff lot page is trading's, and trading
knows nothing of openings and candidates (DESIGN §9); the page names the included template, as it
names bidding's pages in its links, and this tag (bidding's) does the reading. The same section
is bidding's own page for regulators (``views_objections``).
"""
from django import template
from django.urls import reverse

from bidding.evaluation.selectors import CANDIDATES, objections_open, OPENING
from trading.models import Role

register = template.Library()


def _answering(objection, lot_id: int) -> dict:
    """Where staff answer it today: its page, and the form that page posts (action, field, hidden fields)."""
    if objection.kind == OPENING:
        return {"page": reverse("opening-page", args=[lot_id]),
                "action": reverse("opening-answer", args=[lot_id, objection.id]), "field": "answer", "hidden": {}}
    if objection.kind == CANDIDATES:
        return {"page": reverse("staff-evaluation", args=[lot_id]),
                "action": reverse("staff-evaluation-action", args=[lot_id, "reply"]), "field": "reply",
                "hidden": {"objection": objection.id}}
    return {"page": reverse("lot-objections", args=[lot_id]),
            "action": reverse("lot-objection-reply", args=[lot_id, objection.id]), "field": "reply", "hidden": {}}


@register.simple_tag(takes_context=True)
def open_objections(context, lot) -> dict | None:
    """``{"items": [{"objection", "answer"}], "can_answer"}`` for staff (who answer) and regulators
    (who read: no forms, no links to staff pages); None for anyone else."""
    user = context["request"].user
    staff = user.is_authenticated and user.has_role(Role.STAFF)
    if not (staff or user.is_authenticated and user.has_role(Role.REGULATOR)):
        return None
    return {"can_answer": staff,
            "items": [{"objection": objection, "answer": _answering(objection, lot.pk) if staff else None}
                      for objection in objections_open(lot=lot)]}

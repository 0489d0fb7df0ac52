"""A lot's objections awaiting an answer as a page of its own: for regulators, who read them (the
staff lot page, staff only, shows the same section with the forms to answer)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from trading.models import Lot, Role
from trading.permissions import role_required


@login_required
def lot_open_objections(request, lot_id: int):
    role_required(request.user, Role.STAFF, Role.REGULATOR)
    lot = get_object_or_404(Lot.objects.select_related("project"), pk=lot_id)
    return render(request, "bidding/open_objections.html", {"lot": lot})

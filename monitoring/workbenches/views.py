"""The workbenches: each role's page of what is theirs to do now, linking to the pages where it is
done. Thin: the reads are in ``selectors`` and ``selectors_bidder``; who may open which is
``navigation``'s table, the same the header is drawn from."""
import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from monitoring.workbenches import navigation
from monitoring.workbenches.selectors import custodian_bench, expert_bench, regulator_bench, staff_bench
from monitoring.workbenches.selectors_bidder import bidder_bench
from trading import clock
from trading.models import Role
from trading.permissions import role_required


def _workbench(audience: str):
    """A workbench's page: anonymous people sign in first; whoever is not of ``audience`` is refused
    with the reason (a tenderee's representatives sit on panels without the expert role)."""
    def decorate(view):
        @require_safe
        @functools.wraps(view)
        def wrapper(request):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            mine = navigation.audiences(request.user)
            if audience not in mine and not (audience == Role.EXPERT and navigation.TENDEREE in mine):
                role_required(request.user, audience)
            return view(request, navigation.workbenches_of(request.user, mine), clock.now())
        return wrapper
    return decorate


@require_safe
def workbench(request):
    """The person's first workbench; their account page when they have none."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    benches = navigation.workbenches_of(request.user)
    return redirect(benches[0].name if benches else "account")


def _page(request, template: str, benches, current: str, bench):
    return render(request, f"monitoring/workbenches/{template}", {"benches": benches, "current": current,
                                                                  "bench": bench})


@_workbench(Role.BIDDER)
def bidder(request, benches, now):
    return _page(request, "bidder.html", benches, "workbench-bidder", bidder_bench(user=request.user, now=now))


@_workbench(Role.STAFF)
def staff(request, benches, now):
    return _page(request, "staff.html", benches, "workbench-staff", staff_bench(now=now))


@_workbench(Role.EXPERT)
def expert(request, benches, now):
    return _page(request, "expert.html", benches, "workbench-expert", expert_bench(user=request.user))


@_workbench(Role.CUSTODIAN)
def custodian(request, benches, now):
    return _page(request, "custodian.html", benches, "workbench-custodian", custodian_bench(user=request.user, now=now))


@_workbench(Role.REGULATOR)
def regulator(request, benches, now):
    return _page(request, "regulator.html", benches, "workbench-regulator", regulator_bench(now=now))

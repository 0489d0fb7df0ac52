"""Reads of the trading app."""
from django.db.models import Count, Prefetch

from trading.models import Lot, Market, Project, Registration


def market_list_with_projects():
    projects = Project.objects.select_related("procedure", "tenderee").prefetch_related(
        Prefetch("lots", queryset=Lot.objects.order_by("number"))
    )
    return Market.objects.annotate(project_count=Count("projects")).prefetch_related(
        Prefetch("projects", queryset=projects)
    )


def registration_active(*, lot: Lot, organisation) -> bool:
    """Whether ``organisation`` is registered (and, where needed, approved) for ``lot``."""
    return organisation is not None and Registration.objects.filter(
        lot=lot, organisation=organisation, status=Registration.Status.APPROVED
    ).exists()

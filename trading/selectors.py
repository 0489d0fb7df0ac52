"""Reads of the trading app."""
from django.db.models import Count, Prefetch

from trading.models import Lot, Market, Project


def market_list_with_projects():
    projects = Project.objects.select_related("procedure", "tenderee").prefetch_related(
        Prefetch("lots", queryset=Lot.objects.order_by("number"))
    )
    return Market.objects.annotate(project_count=Count("projects")).prefetch_related(
        Prefetch("projects", queryset=projects)
    )

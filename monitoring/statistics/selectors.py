"""Reads of the issued yearly reports (the figures themselves are ``figures``)."""
from django.db.models import QuerySet

from monitoring.statistics.models import YearlyReport
from trading.storage import ObjectReader, get_storage


def yearly_report_list() -> QuerySet[YearlyReport]:
    """Every issued report, the latest year first and, within a year, the latest issue first."""
    return YearlyReport.objects.all()


def yearly_report_get(*, report_id: int) -> YearlyReport | None:
    return YearlyReport.objects.filter(pk=report_id).first()


def yearly_report_open(*, report: YearlyReport) -> ObjectReader:
    """The stored PDF of an issued report, as a reader of its bytes."""
    return get_storage().get(report.storage_key)

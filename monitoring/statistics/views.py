"""Pages of the statistics: the public page (aggregates only, no lot), the regulator's view of the
same figures where each number leads to the lots behind it, the exports, and the yearly reports
(issued by staff or regulators, downloaded by anyone)."""
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from monitoring.statistics.errors import StatisticsError
from monitoring.statistics.exports import figures_csv, figures_xlsx
from monitoring.statistics.figures import (BY_MARKET, BY_SECTOR, FIGURES, TOTAL, figure_lots, statistics_rows,
                                           year_facts)
from monitoring.statistics.formats import change_direction, change_text, value_text
from monitoring.statistics.forms import DrillForm, ExportForm, IssueForm, StatisticsForm
from monitoring.statistics.selectors import yearly_report_get, yearly_report_list, yearly_report_open
from monitoring.statistics.services import ISSUERS, yearly_report_issue
from trading.models import Role
from trading.permissions import holds_role, role_required

REPORTS_SHOWN = 10
# The sector table's columns: a few figures that compare tenderees of different kinds.
SECTOR_FIGURES = ["deals", "deal_value", "savings_rate", "failed_rate", "bidders_per_lot", "cycle_days"]
WAN, MILLION = Decimal(10_000), Decimal(1_000_000)


def _drill_url(*, figure: str, row, by: str, query: dict, previous: bool = False) -> str:
    params = {"figure": figure, "period": row.period.key, "by": by, "key": row.key}
    params.update({name: query[name] for name in ("market", "sector") if query.get(name)})
    if previous:
        params["previous"] = "1"
    return f"{reverse('regulator-statistics-lots')}?{urlencode(params)}"


def _cell(figure, row, *, drill: bool, by: str, query: dict) -> dict:
    linked = drill and figure.basis is not None
    return {
        "group": row.key or "total",
        "value": value_text(figure.key, row.figures[figure.key]),
        "previous": value_text(figure.key, row.previous[figure.key]),
        "change": change_text(figure.key, row.change[figure.key]),
        "direction": change_direction(row.change[figure.key]),
        "url": _drill_url(figure=figure.key, row=row, by=by, query=query) if linked else "",
        "previous_url": (_drill_url(figure=figure.key, row=row, by=by, query=query, previous=True)
                         if linked else ""),
    }


def _figure_table(rows, *, drill: bool, by: str, query: dict, figures=FIGURES) -> list[dict]:
    """Rows of figures, a column per market (or sector): the figures nobody has (a sale's savings
    where only tenders are shown) are left out."""
    lines = []
    for figure in figures:
        if all(row.figures[figure.key] is None and row.previous[figure.key] is None for row in rows):
            continue
        lines.append({"figure": figure,
                      "cells": [_cell(figure, row, drill=drill, by=by, query=query) for row in rows]})
    return lines


def _chart(rows) -> dict:
    """The data the charts draw (monitoring/static/monitoring/statistics-charts.js): by period, each
    market's deals and deal value (万元; millions in English), from the same rows as the table."""
    english = (get_language() or "").startswith("en")
    unit = MILLION if english else WAN
    periods, series = [], {}
    for row in rows:
        if row.period.key not in periods:
            periods.append(row.period.key)
        if row.key == TOTAL:
            continue
        entry = series.setdefault(row.key, {"key": row.key, "name": row.label, "deals": [], "deal_value": []})
        value = row.figures["deal_value"]
        entry["deals"].append(row.figures["deals"])
        entry["deal_value"].append(str((value / unit).quantize(Decimal("0.01"))) if value is not None else 0)
    labels = [next(row.period.label() for row in rows if row.period.key == key) for key in periods]
    return {"periods": labels, "series": list(series.values()),
            "titles": {"deal_value": str(_("Deal value (CNY million)") if english else _("Deal value (10,000 yuan)")),
                       "deals": str(_("Deals"))}}


def _statistics(request, *, drill: bool):
    form = StatisticsForm.of(request.GET)
    if not form.is_valid():
        return render(request, "monitoring/statistics/statistics.html", {"form": form, "drill": drill}, status=400)
    query = form.cleaned_data
    year, market, sector = query["year"], query["market"], query["sector"]
    facts = year_facts(year=year, market=market, sector=sector)
    year_rows = statistics_rows(year=year, market=market, sector=sector, facts=facts)
    period_rows = statistics_rows(year=year, granularity=query["granularity"], market=market, sector=sector,
                                  facts=facts, rated=False)
    sector_rows = statistics_rows(year=year, by=BY_SECTOR, market=market, sector=sector, facts=facts, rated=False)
    sector_figures = [figure for figure in FIGURES if figure.key in SECTOR_FIGURES]
    periods = {}
    for row in period_rows:
        periods.setdefault(row.period, []).append(row)
    export = urlencode({key: value for key, value in query.items() if value})
    return render(request, "monitoring/statistics/statistics.html", {
        "form": form, "drill": drill, "year": year, "query": query,
        "period": year_rows[0].period if year_rows else None, "until": year_rows[0].until if year_rows else None,
        "columns": year_rows, "table": _figure_table(year_rows, drill=drill, by=BY_MARKET, query=query),
        "periods": [{"period": period, "cells": [
            {"group": row.key or "total", "deals": value_text("deals", row.figures["deals"]),
             "deal_value": value_text("deal_value", row.figures["deal_value"]),
             "url": _drill_url(figure="deal_value", row=row, by=BY_MARKET, query=query) if drill else ""}
            for row in rows]} for period, rows in periods.items()],
        "period_columns": next(iter(periods.values()), []),
        "sector_columns": sector_figures,
        "sectors": [{"row": row, "cells": [_cell(figure, row, drill=drill, by=BY_SECTOR, query=query)
                                           for figure in sector_figures]} for row in sector_rows],
        "chart": _chart(period_rows),
        "export_query": export,
        "reports": yearly_report_list()[:REPORTS_SHOWN],
        "may_issue": holds_role(request.user, *ISSUERS),
    })


def statistics_page(request):
    """The public statistics: aggregates only, never a lot."""
    return _statistics(request, drill=False)


@login_required
def regulator_statistics_page(request):
    """The same figures for regulators, each a link to the lots behind it."""
    role_required(request.user, Role.REGULATOR)
    return _statistics(request, drill=True)


@login_required
def regulator_statistics_lots(request):
    """The lots one figure of the regulator's table sums, with each lot's part of it."""
    role_required(request.user, Role.REGULATOR)
    form = DrillForm(request.GET)
    if not form.is_valid():
        return render(request, "monitoring/statistics/lots.html", {"form": form}, status=400)
    data = form.cleaned_data
    behind = figure_lots(figure=data["figure"], period=data["period"], previous=data["previous"], by=data["by"],
                         key=data["key"], market=data["market"], sector=data["sector"])
    back = {name: data[name] for name in ("market", "sector") if data.get(name)}
    back.update(year=data["period"].year)
    return render(request, "monitoring/statistics/lots.html", {
        "form": form, "behind": behind, "value": value_text(behind.figure.key, behind.value),
        "group": data["key"], "by": data["by"], "back": urlencode(back),
        "group_label": _group_label(data["by"], data["key"]),
    })


def _group_label(by: str, key: str) -> str:
    if not key:
        return str(_("All markets") if by == BY_MARKET else _("All tenderees"))
    choices = dict(DrillForm().fields["market" if by == BY_MARKET else "sector"].choices)
    return str(choices.get(key, key))


def _export_rows(request):
    form = ExportForm.of(request.GET)
    if not form.is_valid():
        return None, form
    query = form.cleaned_data
    return statistics_rows(year=query["year"], granularity=query["granularity"], by=query["by"],
                           market=query["market"], sector=query["sector"]), query


def _export_name(query: dict, extension: str) -> str:
    parts = [str(query["year"]), query["granularity"], query["by"], query["market"] or "", query["sector"] or ""]
    return "statistics-" + "-".join(part for part in parts if part) + f".{extension}"


def statistics_csv(request):
    rows, query = _export_rows(request)
    if rows is None:
        return HttpResponse(query.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(figures_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(query, "csv")}"'
    return response


def statistics_xlsx(request):
    rows, query = _export_rows(request)
    if rows is None:
        return HttpResponse(query.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(figures_xlsx(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(query, "xlsx")}"'
    return response


def reports_page(request):
    """Every issued yearly report; staff and regulators issue one here."""
    may_issue = holds_role(request.user, *ISSUERS)
    form, status = IssueForm(initial={"language": get_language() or "zh-hans"}), 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                report = yearly_report_issue(year=form.cleaned_data["year"], language=form.cleaned_data["language"],
                                             user=request.user)
            except StatisticsError as error:
                messages.error(request, error.message)
                status = error.status
            else:
                messages.success(request, _("The yearly report is issued and signed."))
                return redirect("statistics-report", report_id=report.pk)
        else:
            status = 400
    return render(request, "monitoring/statistics/reports.html", {
        "reports": yearly_report_list(), "form": form, "may_issue": may_issue}, status=status)


def report_page(request, report_id: int):
    report = yearly_report_get(report_id=report_id)
    if report is None:
        raise Http404
    return render(request, "monitoring/statistics/report.html", {"report": report})


def report_signed(request, report_id: int):
    """The report as the platform signed it (the document the PDF prints), for
    ``python -m bidding.verify yearly FILE --key platform-key.pem``."""
    report = yearly_report_get(report_id=report_id)
    if report is None:
        raise Http404
    response = JsonResponse(report.figures, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (f'attachment; filename="yearly-report-{report.year}-{report.language}-'
                                       f'{report.pk}.json"')
    return response


def report_pdf(request, report_id: int):
    report = yearly_report_get(report_id=report_id)
    if report is None:
        raise Http404
    response = StreamingHttpResponse(yearly_report_open(report=report), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="yearly-report-{report.year}-{report.language}-'
                                       f'{report.pk}.pdf"')
    return response

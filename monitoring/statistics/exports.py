"""The figures as CSV and as an Excel workbook (openpyxl): one line per period and market (or
tenderee type), each figure with last year's and the change, exactly the numbers the pages and the
API show (amounts in yuan, rates and changes as fractions, which the workbook formats as per cent).

The CSV's header holds the API's field names, stable for programs; the workbook's holds the figures'
names in the reader's language, with a second sheet of their definitions."""
import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from monitoring.statistics.figures import AMOUNT, AVERAGE, COUNT, DAYS, FIGURES, RATE, Row

_FORMATS = {COUNT: "#,##0", AMOUNT: "#,##0.00", RATE: "0.00%", AVERAGE: "0.00", DAYS: "0.0"}


def _columns() -> list[tuple[str, object, str]]:
    """(machine name, label, number format) of every figure column, in order."""
    columns = []
    for figure in FIGURES:
        columns += [(figure.key, figure.label, _FORMATS[figure.kind]),
                    (f"{figure.key}_previous", _("%(figure)s, year before") % {"figure": figure.label},
                     _FORMATS[figure.kind]),
                    (f"{figure.key}_change", _("%(figure)s, change") % {"figure": figure.label},
                     _FORMATS[RATE])]
    return columns


def _values(row: Row) -> list:
    values = []
    for figure in FIGURES:
        values += [row.figures[figure.key], row.previous[figure.key], row.change[figure.key]]
    return values


def _group(row: Row) -> str:
    return row.key or "total"


def figures_csv(rows: list[Row]) -> str:
    """The rows as CSV text (UTF-8 with a byte-order mark, which Excel needs to read Chinese)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["period", "since", "until", "group", "group_name", *(name for name, _l, _f in _columns())])
    for row in rows:
        writer.writerow([row.period.key, row.since.isoformat(), row.until.isoformat(), _group(row), row.label,
                         *("" if value is None else value for value in _values(row))])
    return out.getvalue()


def figures_xlsx(rows: list[Row]) -> bytes:
    """The rows as an .xlsx workbook: sheet "figures", and "definitions" with each figure's meaning."""
    book = Workbook()
    sheet = book.active
    sheet.title = "figures"
    columns = _columns()
    head = [pgettext("statistics", "Period"), pgettext("statistics", "From"), pgettext("statistics", "Until"),
            pgettext("statistics", "Group"), pgettext("statistics", "Name")]
    sheet.append([*head, *(str(label) for _n, label, _f in columns)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.period.key, row.since.strftime("%Y-%m-%d %H:%M"), row.until.strftime("%Y-%m-%d %H:%M"),
                      _group(row), row.label,
                      *_values(row)])
    for index, (_name, _label, number_format) in enumerate(columns, start=6):
        letter = get_column_letter(index)
        for cell in sheet[letter][1:]:
            cell.number_format = number_format
    sheet.freeze_panes = "F2"
    definitions = book.create_sheet("definitions")
    definitions.append([pgettext("statistics", "Field"), pgettext("statistics", "Figure"),
                        pgettext("statistics", "Definition")])
    for figure in FIGURES:
        definitions.append([figure.key, str(figure.label), str(figure.definition)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

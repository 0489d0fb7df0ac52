"""The yearly statistical report's text (年度统计报告), in the form centres publish: an opening
paragraph over every market, one paragraph per market with its figures and their year-on-year
change, the satisfaction rate, and what the figures mean.

The report's language is chosen when it is issued, not taken from the reader, and its wording is
part of an official document: so both languages' sentences are kept here side by side, as data,
rather than in the interface's message catalogue. Which figures a market's paragraph states is the
``FORMS`` table: savings where the lowest price wins, the net increase of state assets for land,
the appreciation over the appraised value for state-owned equity.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import translation

from monitoring.statistics.figures import BY_MARKET, FIGURE_KEYS, RATE, TOTAL, Row, statistics_rows
from monitoring.statistics.formats import HUNDREDTH, percent, value_text
from monitoring.statistics.periods import Period
from trading import clock
from trading.models import Market
from trading.workdays import CHINA

ZH, EN = "zh-hans", "en"
LANGUAGES = [(ZH, "中文"), (EN, "English")]
PURCHASE, INCREASE, APPRECIATION = "purchase", "increase", "appreciation"
# The paragraph each market gets, by market code; a market not named here by whether it sells.
FORMS = {"land": INCREASE, "property": APPRECIATION}

# Each clause: its sentence in each language, with {figure} for a figure's value and {figure~} for
# its change on the year before (empty where there is nothing to compare); {figure_s} is "s" unless
# the count is one, for English plurals. A clause whose first
# figure is missing (None) is left out. A paragraph is two groups of clauses.
_DEALS = {
    PURCHASE: [("完成交易项目{projects}个{projects~}，标段（包）{deals}个{deals~}",
                "{projects} project{projects_s}{projects~} in {deals} lot{deals_s}{deals~}")],
    INCREASE: [("成交{deals}宗{deals~}", "{deals} deal{deals_s}{deals~}")],
    APPRECIATION: [("成交{deals}宗{deals~}", "{deals} deal{deals_s}{deals~}")],
}
_AMOUNTS = {
    PURCHASE: [("项目总投资{investment}{investment~}", "total investment {investment}{investment~}"),
               ("预算（最高限价）合计{budget}{budget~}", "budgets (ceilings) of {budget}{budget~}"),
               ("成交金额{deal_value}{deal_value~}", "deal value {deal_value}{deal_value~}"),
               ("节约资金{savings}{savings~}", "savings of {savings}{savings~}"),
               ("节资率{savings_rate}{savings_rate~}", "a savings rate of {savings_rate}{savings_rate~}")],
    INCREASE: [("起始价合计{starting_value}{starting_value~}", "starting prices of {starting_value}{starting_value~}"),
               ("成交价款{deal_value}{deal_value~}", "deal value {deal_value}{deal_value~}"),
               ("国有资产净增值{increase}{increase~}", "a net increase of state assets of {increase}{increase~}"),
               ("平均增值率{increase_rate}{increase_rate~}", "an average increase of {increase_rate}{increase_rate~}")],
    APPRECIATION: [("资产评估值{appraised_value}{appraised_value~}",
                    "assets appraised at {appraised_value}{appraised_value~}"),
                   ("成交金额{deal_value}{deal_value~}", "deal value {deal_value}{deal_value~}"),
                   ("资产增值{appreciation}{appreciation~}", "asset appreciation of {appreciation}{appreciation~}"),
                   ("增值率{appreciation_rate}{appreciation_rate~}",
                    "an appreciation rate of {appreciation_rate}{appreciation_rate~}")],
}
_FAILED = {
    PURCHASE: [("流标{failed}个，流标率{failed_rate}{failed_rate~}",
                "{failed} lot{failed_s} failed, a failed-lot rate of {failed_rate}{failed_rate~}")],
    INCREASE: [("未成交{failed}宗，未成交率{failed_rate}{failed_rate~}",
                "{failed} lot{failed_s} unsold, an unsold rate of {failed_rate}{failed_rate~}")],
}
_FAILED[APPRECIATION] = _FAILED[INCREASE]
_PROCESS = [
    ("平均每标段{bidders_per_lot}家参与{bidders_per_lot~}", "{bidders_per_lot} bidders per lot{bidders_per_lot~}"),
    ("从公告发布到确定中标（成交）平均{cycle_days}天{cycle_days~}",
     "{cycle_days} days on average from publication to award{cycle_days~}"),
    ("服务满意率{satisfaction}{satisfaction~}", "satisfaction with the service {satisfaction}{satisfaction~}"),
]
_OPENING = [
    ("{year}年，平台共完成交易{deals}宗{deals~}，成交金额{deal_value}{deal_value~}",
     "In {year} the platform concluded {deals} deal{deals_s}{deals~} worth {deal_value}{deal_value~}"),
]
_TEXT = {
    "title": ("{year}年度公共资源交易统计报告", "Public-Resource Trading: Statistical Report for {year}"),
    "to_date": ("（统计截至{date}）", "(figures to {date})"),
    "market": ("{market}：", "{market}: "),
    "none": ("{market}：本年度无已完成的交易。", "{market}: no lot was decided this year."),
    "satisfaction": ("全年服务满意率{satisfaction}{satisfaction~}。",
                     "Users were satisfied with {satisfaction} of the services rendered{satisfaction~}."),
    "notes": ("口径说明：成交指中标（成交）结果有效的标段（包），按确定中标（成交）或流标之日（北京时间）计入年度；"
              "成交金额为中标价或成交价；节约资金为最高限价（预算）减成交金额；国有资产净增值为成交价减起始价；"
              "资产增值为成交价减评估值（未评估的按起始价）；同比为与上年同期相比；满意率按好差评办法计算，"
              "未评价的服务逾期视为满意。数据均由平台按交易记录自动计算，未经人工录入。",
              "Notes: a deal is a lot whose award stands, counted in the year it was awarded or failed (Beijing "
              "time); the deal value is the winning price; savings are the ceiling (budget) less the winning "
              "price; the net increase of state assets is the deal price less the starting price; appreciation "
              "is the deal price less the appraised value (the starting price where none was filed); changes "
              "compare with the same period of the year before; the satisfaction rate follows the national "
              "rating scheme, a service left unrated past its time counting as satisfied. Every figure is "
              "computed by the platform from its records; none is entered by hand."),
    "up": ("（同比增长{change}）", " (up {change} on the year before)"),
    "down": ("（同比下降{change}）", " (down {change} on the year before)"),
    "level": ("（与上年持平）", " (unchanged on the year before)"),
    "up_points": ("（同比提高{change}个百分点）", " (up {change} percentage points on the year before)"),
    "down_points": ("（同比下降{change}个百分点）", " (down {change} percentage points on the year before)"),
    "issued": ("签发时间：{at}　签发人：{by}", "Issued {at} by {by}"),
    "digest": ("签名文档 SHA-256：{digest}", "Signed document SHA-256: {digest}"),
    "signature": ("平台签名（Ed25519）：{signature}", "Platform signature (Ed25519): {signature}"),
    "platform": ("公共资源交易平台（{platform}）", "Public-resource trading platform ({platform})"),
    "comma": ("，", ", "),
    "semicolon": ("；", "; "),
    "stop": ("。", "."),
}


@dataclass(frozen=True)
class ReportText:
    year: int
    language: str
    title: str
    subtitle: str  # "figures to ..." while the year runs, else empty
    paragraphs: list[str]  # the opening, one per market, the satisfaction
    notes: str
    since: datetime
    until: datetime
    figures: dict  # the figures the text states, by market (``TOTAL``: all), as JSON

    @property
    def text(self) -> str:
        head = f"{self.title}\n{self.subtitle}\n" if self.subtitle else f"{self.title}\n"
        return head + "\n".join(["", *self.paragraphs, "", self.notes])


def say(key: str, language: str, **values) -> str:
    zh, en = _TEXT[key]
    return (en if language == EN else zh).format(**values)


def _change_phrase(change: Decimal | None, kind: str, language: str) -> str:
    if change is None:
        return ""
    if change == 0:
        return say("level", language)
    size = abs(Decimal(change))
    if kind == RATE:
        points = f"{(size * 100).quantize(HUNDREDTH):,.2f}"
        return say("up_points" if change > 0 else "down_points", language, change=points)
    return say("up" if change > 0 else "down", language, change=percent(size))


def _values(row: Row, language: str) -> dict:
    values = {}
    for key, figure in FIGURE_KEYS.items():
        values[key] = value_text(key, row.figures[key])
        values[f"{key}~"] = _change_phrase(row.change.get(key), figure.kind, language)
        values[f"{key}_s"] = "" if row.figures[key] == 1 else "s"
    return values


def _clauses(clauses: list[tuple[str, str]], row: Row, values: dict, language: str) -> list[str]:
    found = []
    for zh, en in clauses:
        sentence = en if language == EN else zh
        first = sentence.split("{", 1)[1].split("}", 1)[0]
        if first in row.figures and row.figures[first] is None:
            continue
        found.append(sentence.format_map(values))
    return found


def _paragraph(head: str, groups: list[list[str]], language: str) -> str:
    groups = [group for group in groups if group]
    body = say("semicolon", language).join(say("comma", language).join(group) for group in groups)
    return head + body + say("stop", language)


def _form(market: Market) -> str:
    return FORMS.get(market.code, INCREASE if market.sells else PURCHASE)


def _figures_json(row: Row) -> dict:
    def plain(figures: dict) -> dict:
        return {key: (None if value is None else value if isinstance(value, int) else str(value))
                for key, value in figures.items()}

    return {"label": row.label, "figures": plain(row.figures), "previous": plain(row.previous),
            "change": plain(row.change)}


def report_text(*, year: int, language: str, now: datetime | None = None) -> ReportText:
    """The report of ``year`` in ``language`` (``zh-hans`` or ``en``) from the figures as they stand:
    the year to ``now`` while it runs. Six queries for the lots (``statistics_rows``) and the ratings'
    for the satisfaction of each market."""
    now = now or clock.now()
    period = Period(year)
    with translation.override(language):
        rows = {row.key: row for row in statistics_rows(year=year, by=BY_MARKET, now=now)}
        markets = list(Market.objects.all())
        total = rows[TOTAL]
        opening = _values(total, language) | {"year": year}
        paragraphs = [_paragraph("", [_clauses(_OPENING, total, opening, language),
                                      _clauses(_FAILED[PURCHASE] + _PROCESS[:2], total, opening, language)],
                                 language)]
        for market in markets:
            row = rows[market.code]
            name = market.name_en if language == EN else market.name_zh
            if not row.figures["lots"] and not row.previous["lots"]:
                paragraphs.append(say("none", language, market=name))
                continue
            values = _values(row, language)
            form = _form(market)
            paragraphs.append(_paragraph(say("market", language, market=name), [
                _clauses(_DEALS[form], row, values, language) + _clauses(_AMOUNTS[form], row, values, language),
                _clauses(_FAILED[form] + _PROCESS, row, values, language)], language))
        if total.figures["satisfaction"] is not None:
            paragraphs.append(say("satisfaction", language, satisfaction=opening["satisfaction"],
                                   **{"satisfaction~": opening["satisfaction~"]}))
        cut = period.cut_at(now)
        since, until = period.bounds(now=now)
        day = (until - timedelta(microseconds=1)).astimezone(CHINA).date()
        date_text = day.isoformat() if language == EN else f"{day.year}年{day.month}月{day.day}日"
        return ReportText(
            year=year, language=language, title=say("title", language, year=year),
            subtitle=say("to_date", language, date=date_text) if cut else "",
            paragraphs=paragraphs, notes=say("notes", language), since=since, until=until,
            figures={"since": since.isoformat(), "until": until.isoformat(),
                     "rows": {key or "total": _figures_json(row) for key, row in rows.items()}})

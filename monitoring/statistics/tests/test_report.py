"""The yearly report (年度统计报告): its text states the hand-computed figures in both languages,
in the form centres publish; issuing it signs it, renders the PDF, stores it and records the issue;
only staff and regulators issue, anyone downloads."""
import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bidding.crypto.receipts import SignatureError, signed_verify
from monitoring.models import AuditEntry
from monitoring.statistics.errors import StatisticsError
from monitoring.statistics.models import YearlyReport
from monitoring.statistics.report import report_text
from monitoring.statistics.services import REPORT_KIND, yearly_report_issue
from trading import signing
from trading.storage import get_storage

pytestmark = pytest.mark.django_db

ZH_LAND = ("土地使用权：成交2宗（同比增长100.00%），起始价合计1.50 亿元（同比增长87.50%），成交价款1.86 亿元"
           "（同比增长107.11%），国有资产净增值3,640.00 万元（同比增长264.00%），平均增值率24.27%（同比提高11.77个百分点）；"
           "未成交1宗，未成交率33.33%（同比提高33.33个百分点）")
ZH_EQUITY = ("产权交易：成交2宗（同比增长100.00%），资产评估值2,800.00 万元（同比增长86.67%），成交金额3,900.00 万元"
             "（同比增长143.75%），资产增值1,100.00 万元（同比增长1,000.00%），增值率39.29%（同比提高32.62个百分点）；")
ZH_CONSTRUCTION = ("建设工程：完成交易项目1个（与上年持平），标段（包）2个（同比增长100.00%），项目总投资5,000.00 万元"
                   "（同比增长66.67%），预算（最高限价）合计1,600.00 万元（同比增长100.00%），成交金额1,390.00 万元"
                   "（同比增长98.57%），节约资金210.00 万元（同比增长110.00%），节资率13.13%（同比提高0.63个百分点）；"
                   "流标1个，流标率33.33%（同比提高33.33个百分点），平均每标段3.67家参与（同比下降38.83%），"
                   "从公告发布到确定中标（成交）平均35.5天（同比增长18.33%）。")
ZH_OPENING = "2026年，平台共完成交易8宗（同比增长100.00%），成交金额2.41 亿元（同比增长112.25%）；流标2个，流标率20.00%"
EN_LAND = ("Land-use rights: 2 deals (up 100.00% on the year before), starting prices of CNY 150.00 million "
           "(up 87.50% on the year before), deal value CNY 186.40 million (up 107.11% on the year before), a net "
           "increase of state assets of CNY 36.40 million (up 264.00% on the year before), an average increase of "
           "24.27% (up 11.77 percentage points on the year before)")
EN_EQUITY = ("State-owned equity and assets: 2 deals (up 100.00% on the year before), assets appraised at CNY 28.00 "
             "million (up 86.67% on the year before), deal value CNY 39.00 million (up 143.75% on the year before), "
             "asset appreciation of CNY 11.00 million (up 1,000.00% on the year before), an appreciation rate of "
             "39.29% (up 32.62 percentage points on the year before)")


def test_the_chinese_report_states_each_market_s_figures_and_change(history):
    report = report_text(year=2026, language="zh-hans")
    assert report.title == "2026年度公共资源交易统计报告" and report.subtitle == ""
    assert report.paragraphs[0].startswith(ZH_OPENING)
    by_market = {paragraph.split("：")[0]: paragraph for paragraph in report.paragraphs[1:]}
    assert by_market["土地使用权"].startswith(ZH_LAND)
    assert by_market["产权交易"].startswith(ZH_EQUITY)
    assert by_market["建设工程"] == ZH_CONSTRUCTION
    # Procurement had nothing in 2025: its figures stand without a change, but its satisfaction has one.
    assert "成交金额90.00 万元，节约资金10.00 万元，节资率10.00%；" in by_market["政府采购"]
    assert "服务满意率75.00%（同比提高25.00个百分点）" in by_market["政府采购"]
    assert "人力资源服务：完成交易项目1个（与上年持平）" in by_market["人力资源服务"]
    assert report.paragraphs[-1] == "全年服务满意率75.00%（同比提高25.00个百分点）。"
    assert report.figures["rows"]["land"]["figures"]["increase"] == "36400000.00"
    assert report.figures["rows"]["property"]["change"]["appreciation_rate"] == "0.3262"


def test_the_english_report(history):
    report = report_text(year=2026, language="en")
    assert report.title == "Public-Resource Trading: Statistical Report for 2026"
    assert report.paragraphs[0].startswith("In 2026 the platform concluded 8 deals (up 100.00% on the year before) "
                                           "worth CNY 240.65 million (up 112.25% on the year before); 2 lots failed")
    assert any(paragraph.startswith(EN_LAND) for paragraph in report.paragraphs)
    assert any(paragraph.startswith(EN_EQUITY) for paragraph in report.paragraphs)
    assert ("HR services: 1 project (unchanged on the year before) in 1 lot (unchanged on the year before)"
            in report.text)
    assert report.paragraphs[-1] == ("Users were satisfied with 75.00% of the services rendered (up 25.00 percentage "
                                     "points on the year before).")


def test_a_year_not_over_is_reported_to_date(history, time_machine):
    from monitoring.statistics.tests.conftest import at

    time_machine.move_to(at(2026, 6, 2), tick=False)
    report = report_text(year=2026, language="zh-hans")
    assert report.subtitle == "（统计截至2026年6月2日）"
    assert "土地使用权：成交1宗，起始价合计1.00 亿元" in report.text  # 2025's sale came later in June
    assert report_text(year=2026, language="en").subtitle == "(figures to 2026-06-02)"


def _stored(report) -> bytes:
    with get_storage().get(report.storage_key) as reader:
        return reader.read()


def test_issuing_signs_stores_and_records_the_report(history, staff):
    report = yearly_report_issue(year=2026, language="zh-hans", user=staff)
    pdf = _stored(report)
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    body = signed_verify(report.figures, REPORT_KIND, signing.public_key())
    assert body["year"] == 2026 and body["paragraphs"] == report_text(year=2026, language="zh-hans").paragraphs
    assert report.signature == report.figures["signature"]
    changed = {**report.figures, "document": {**report.figures["document"],
                                              "body": {**body, "paragraphs": ["土地使用权：成交3宗"]}}}
    with pytest.raises(SignatureError):
        signed_verify(changed, REPORT_KIND, signing.public_key())
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "2026年度公共资源交易统计报告" in text
    assert "国有资产净增值3,640.00万元" in text and "资产增值1,100.00万元" in text
    assert report.signature in text
    entry = AuditEntry.objects.get(kind="statistics.report_issued")
    assert entry.subject == f"yearly-report:{report.pk}" and entry.data["sha256"] == report.sha256
    assert entry.actor == f"user:{staff.pk}"
    assert get_storage().stat(report.storage_key).retain_until is not None  # write-once


def test_anyone_downloads_an_issued_report(client, history, regulator):
    report = yearly_report_issue(year=2026, language="en", user=regulator)
    response = client.get(reverse("statistics-report-pdf", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == report.sha256
    page = client.get(reverse("statistics-report", args=[report.pk])).content.decode()
    assert EN_LAND in page and report.sha256 in page
    listing = client.get(reverse("statistics-reports")).content.decode()
    assert f'data-report="{report.pk}"' in listing and 'data-testid="issue-form"' not in listing
    api = client.get(reverse("api-statistics-report", args=[report.pk])).json()
    assert api["sha256"] == report.sha256 and api["signed_document"]["signature"] == report.signature


def test_only_staff_and_regulators_issue_and_a_refusal_leaves_nothing(client, history, make_person, regulator):
    bidder = make_person("bidder_r", ["bidder"], organisation="某投标公司")
    with pytest.raises(StatisticsError) as refused:
        yearly_report_issue(year=2026, language="zh-hans", user=bidder)
    assert refused.value.code == "not_allowed"
    for year, language, code in ((2099, "zh-hans", "bad_year"), (2026, "fr", "bad_language")):
        with pytest.raises(StatisticsError) as refused:
            yearly_report_issue(year=year, language=language, user=regulator)
        assert refused.value.code == code
    client.force_login(bidder)
    assert client.post(reverse("statistics-reports"), {"year": 2026, "language": "en"}).status_code == 403
    answer = client.post(reverse("api-statistics-reports"), {"year": 2026, "language": "en"},
                         content_type="application/json")
    assert answer.status_code == 403 and answer.json()["code"] == "not_allowed"
    assert not YearlyReport.objects.exists()
    assert not AuditEntry.objects.filter(kind="statistics.report_issued").exists()


def test_a_regulator_issues_from_the_page_and_through_the_api(client, history, regulator):
    client.force_login(regulator)
    page = client.get(reverse("statistics-reports")).content.decode()
    assert 'data-testid="issue-form"' in page
    response = client.post(reverse("statistics-reports"), {"year": 2026, "language": "zh-hans"})
    first = YearlyReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("statistics-report", args=[first.pk])
    answer = client.post(reverse("api-statistics-reports"), {"year": 2026, "language": "en"},
                         content_type="application/json")
    assert answer.status_code == 201 and answer.json()["language"] == "en"
    # Issued again, a report is a new one: the earlier stays as it was signed.
    assert YearlyReport.objects.count() == 2 and _stored(first)


def test_the_signed_report_downloaded_verifies_offline_and_a_changed_figure_does_not(client, history, regulator,
                                                                                    tmp_path):
    """``python -m bidding.verify yearly`` checks the signed document the page offers, with nothing but
    the platform's public key."""
    import json
    import subprocess
    import sys

    report = yearly_report_issue(year=2026, language="zh-hans", user=regulator)
    page = client.get(reverse("statistics-report", args=[report.pk])).content.decode()
    assert reverse("statistics-report-signed", args=[report.pk]) in page
    signed = client.get(reverse("statistics-report-signed", args=[report.pk])).json()
    key = tmp_path / "platform-key.pem"
    key.write_bytes(client.get(reverse("platform-key")).content)
    good, bad = tmp_path / "report.json", tmp_path / "changed.json"
    good.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    signed["document"]["body"]["paragraphs"][0] = signed["document"]["body"]["paragraphs"][0].replace("2", "3", 1)
    bad.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")

    def verify(path):
        return subprocess.run([sys.executable, "-m", "bidding.verify", "yearly", str(path), "--key", str(key)],
                              capture_output=True, text=True, timeout=60)

    ok = verify(good)
    assert ok.returncode == 0 and ok.stdout.startswith("ok yearly report 2026 (zh-hans)"), ok.stderr
    changed = verify(bad)
    assert changed.returncode == 1 and changed.stderr.startswith("bad:")

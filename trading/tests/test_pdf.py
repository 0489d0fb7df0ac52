"""Official documents as PDF: the text a reader extracts is the text we put in, Chinese glyphs are
embedded, rendering is repeatable, and a wrong or missing font says what to do."""
import hashlib
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import reportlab
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from trading.errors import TradingError
from trading.numerals import amount_in_capitals
from trading.pdf import OfficialDocument

ISSUED_AT = datetime(2026, 11, 30, 2, 20, tzinfo=UTC)  # 10:20 in Beijing
DIGEST = hashlib.sha256(b"deal 2026-018").hexdigest()
PLATFORM = "某市公共资源交易平台 City Public Resource Trading Platform"


def confirmation(issued_at=ISSUED_AT) -> OfficialDocument:
    document = OfficialDocument(
        title="成交确认书 Deal Confirmation", number="GGZY-CJ-2026-0018", issued_at=issued_at, author=PLATFORM
    )
    price = Decimal("1234567.89")
    document.add_rows([
        ("项目名称 Lot", "市中心区2026-018号国有建设用地使用权挂牌出让 Land use right, plot 2026-018"),
        ("竞得人 Winner", "城市建设投资有限公司 A & B <Construction> Co., Ltd."),
        ("成交价 Price", f"¥{price:,}"),
        ("大写 In capitals", amount_in_capitals(price)),
    ])
    document.add_paragraph("竞得人应当自本确认书签订之日起十个工作日内与出让人签订国有建设用地使用权出让合同。")
    document.add_paragraph("The winner signs the land use contract within ten working days.\nSecond line.")
    document.add_footer_line("签发时间 Issued 2026-11-30 10:20 (UTC+8)")
    document.add_footer_line(f"SHA-256 {DIGEST}")
    document.add_footer_line(PLATFORM)
    return document


def text_of(page) -> str:
    """A page's text with line breaks and spaces removed, so wrapping cannot split a phrase."""
    return "".join(page.extract_text().split())


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_a_confirmation_is_one_valid_page_whose_chinese_and_english_text_can_be_extracted():
    pdf = confirmation().render()

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    text = text_of(reader.pages[0])
    for expected in (
        "成交确认书DealConfirmation",
        "GGZY-CJ-2026-0018",
        "竞得人Winner",
        "市中心区2026-018号国有建设用地使用权挂牌出让Landuseright,plot2026-018",
        "A&B<Construction>Co.,Ltd.",
        "¥1,234,567.89",
        "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分",
        "十个工作日内与出让人签订",
        "tenworkingdays.Secondline.",
        f"SHA-256{DIGEST}",
        squeeze(PLATFORM),
        "—1—",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "成交确认书 Deal Confirmation"
    assert reader.metadata.author == PLATFORM
    assert reader.metadata["/CreationDate"] == "D:20261130102000+08'00'"


def test_every_font_in_the_document_is_embedded():
    reader = PdfReader(io.BytesIO(confirmation().render()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        assert "/ToUnicode" in font, font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]


def test_the_same_document_renders_to_the_same_bytes():
    assert confirmation().render() == confirmation().render()
    later = confirmation(issued_at=datetime(2026, 12, 1, tzinfo=UTC)).render()
    assert PdfReader(io.BytesIO(later)).metadata["/CreationDate"] == "D:20261201080000+08'00'"


def test_a_long_document_repeats_the_footer_and_numbers_its_pages():
    document = confirmation()
    for number in range(60):
        document.add_paragraph(f"第{number}条 评标委员会按招标文件规定的评标标准和方法进行评审。Clause {number}.")
    reader = PdfReader(io.BytesIO(document.render()))

    assert len(reader.pages) > 1
    for index, page in enumerate(reader.pages, start=1):
        text = text_of(page)
        assert f"SHA-256{DIGEST}" in text
        assert f"—{index}—" in text
    assert "第59条评标委员会" in text_of(reader.pages[-1])


def test_a_character_the_font_cannot_print_is_refused():
    document = confirmation()
    document.add_rows([("竞得人 Winner", "𠀀𠀁建设有限公司")])  # Extension B, outside the font

    with pytest.raises(TradingError) as refused:
        document.render()
    assert refused.value.code == "pdf_glyph_missing"
    assert "𠀀𠀁" in str(refused.value)


def test_a_missing_font_file_says_which_setting_and_the_shipped_font(settings, tmp_path):
    settings.PLATFORM_PDF_FONT = tmp_path / "absent.ttc"

    missing = r"PLATFORM_PDF_FONT: no font file at .*absent\.ttc.*shipped with the platform"
    with pytest.raises(ImproperlyConfigured, match=missing):
        confirmation().render()


def test_a_file_that_is_no_truetype_font_is_refused(settings, tmp_path):
    settings.PLATFORM_PDF_FONT = tmp_path / "not-a-font.ttf"
    settings.PLATFORM_PDF_FONT.write_bytes(b"OTTO" + bytes(200))

    with pytest.raises(ImproperlyConfigured, match="cannot be embedded.*TrueType"):
        confirmation().render()


def test_a_font_without_chinese_glyphs_is_refused(settings):
    settings.PLATFORM_PDF_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"

    with pytest.raises(ImproperlyConfigured, match="has no glyphs for"):
        confirmation().render()


def test_documents_render_with_the_font_shipped_in_the_repository_and_no_system_font():
    from django.conf import settings as django_settings

    from trading.pdf import SHIPPED_FONT, documents_check

    assert Path(django_settings.PLATFORM_PDF_FONT) == SHIPPED_FONT
    assert SHIPPED_FONT.is_relative_to(Path(django_settings.BASE_DIR))
    assert (SHIPPED_FONT.parent / "OFL.txt").read_text().startswith("Copyright 2014-2021 Adobe")
    assert documents_check() is None
    fonts = PdfReader(io.BytesIO(confirmation().render())).pages[0]["/Resources"]["/Font"]
    assert all("NotoSansSC" in font.get_object()["/BaseFont"] for font in fonts.values())


def test_the_start_check_says_what_is_wrong_with_a_missing_font(settings, tmp_path):
    from trading.pdf import documents_check

    settings.PLATFORM_PDF_FONT = tmp_path / "absent.ttf"

    assert "no font file at" in documents_check()

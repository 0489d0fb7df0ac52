"""Official documents (成交确认书, 中标通知书, result notices, evaluation reports) rendered to PDF.

Decided by measurement on this stack (one A4 page with a title, five rows, two paragraphs and a
footer, Chinese and English):

- reportlab, not fpdf2: reportlab parses the font once per process (0.2-0.5 s) and then renders
  a page in 11-25 ms; fpdf2 re-reads and re-subsets the font for every document (0.8-1 s a page).
- The font is embedded, not a standard CID font such as STSong-Light: a CID font is only named in
  the file and drawn with whatever the reader's machine substitutes (or not at all where it has no
  CJK font), while an issued document must look the same wherever it is opened and archived.
  reportlab embeds a subset of the glyphs used (25-40 KB a page) with a ToUnicode map, so the text
  stays extractable and searchable.
- The font ships with the code: Noto Sans SC Regular (``trading/fonts/``, SIL Open Font License
  1.1, its licence beside it), the default of ``settings.PLATFORM_PDF_FONT``. A system package
  (Debian's ``fonts-wqy-zenhei`` before) made every document fail with a 500 on a machine without
  it, while ``make run`` promises only Python; a committed file renders the same bytes everywhere.
  No pinned PyPI package carries a CJK TrueType font without a plotting library around it. reportlab
  embeds only TrueType outlines, which rules out Noto Sans CJK (CFF); this static TrueType cut of
  Noto Sans SC covers all 20,976 ideographs of the URO block and 6,582 of Extension A (as many as Zen
  Hei, at 10 MB rather than 17), so the registered names of bidders print. A .ttc file given in the
  setting is read at its first face.
- ``documents_check()`` renders a one-line document; the server calls it as it starts and says
  clearly when documents cannot be rendered.
- A character the font cannot draw is refused with ``TradingError("pdf_glyph_missing")`` rather
  than printed as an empty box in an official document.
- Output is deterministic: the creation date is the document's ``issued_at`` and reportlab's
  invariant mode fixes the file identifier (the same for every document; documents differ by
  content and are told apart by their digests).
"""
import functools
import io
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trading.errors import TradingError

SHIPPED_FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Regular.ttf"
# Characters every document needs: amounts in capitals and figures. A font without them is the
# wrong font, not a font missing a rare character.
REQUIRED_CHARACTERS = "人民币零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整0123456789.,¥"
MARGIN = 25 * mm
BODY_WIDTH = A4[0] - 2 * MARGIN
FOOTER_GAP = 6 * mm
PAGE_NUMBER_BASELINE = 12 * mm


@functools.cache
def _font(path: Path) -> TTFont:
    """The font at ``path``, registered with reportlab once per process."""
    if not path.is_file():
        raise ImproperlyConfigured(
            f"PLATFORM_PDF_FONT: no font file at {path}. Point PLATFORM_PDF_FONT at a TrueType font (.ttf or "
            f".ttc) with Chinese glyphs, or unset it to use the font shipped with the platform ({SHIPPED_FONT})."
        )
    try:
        font = TTFont(f"platform-document:{path}", str(path))
    except TTFError as error:
        raise ImproperlyConfigured(
            f"PLATFORM_PDF_FONT: {path} cannot be embedded ({error}). It must be a TrueType font "
            f"(.ttf or .ttc with TrueType outlines; OpenType/CFF fonts such as Noto CJK are not)."
        ) from error
    missing = _missing(font, REQUIRED_CHARACTERS)
    if missing:
        raise ImproperlyConfigured(f"PLATFORM_PDF_FONT: {path} has no glyphs for {missing}.")
    pdfmetrics.registerFont(font)
    return font


def _missing(font: TTFont, text: str) -> str:
    glyphs = font.face.charToGlyph
    return "".join(sorted({ch for ch in text if not ch.isspace() and ord(ch) not in glyphs}))


def _markup(text) -> str:
    """Text as reportlab paragraph markup: taken literally, line breaks kept."""
    return escape(str(text)).replace("\n", "<br/>")


class OfficialDocument:
    """One document, built top to bottom and rendered to PDF bytes.

    The title and the optional document number (文号) head the first page; rows (label, value)
    and paragraphs follow in the order they were added; the footer lines (issue time, digest or
    signature, the platform's name) are printed at the foot of every page above a page number.
    Every text may mix Chinese and English and may be a lazy translation.
    """

    def __init__(self, *, title, issued_at: datetime, number="", author=""):
        self.title = title
        self.issued_at = issued_at
        self.number = number
        self.author = author
        self._body: list[list[tuple[str, str]] | str] = []
        self._footer: list[str] = []

    def add_rows(self, rows) -> None:
        """A table of (label, value) rows; consecutive calls make separate tables."""
        self._body.append([(str(label), str(value)) for label, value in rows])

    def add_paragraph(self, text) -> None:
        self._body.append(str(text))

    def add_footer_line(self, text) -> None:
        self._footer.append(str(text))

    def render(self) -> bytes:
        """The document as PDF bytes; the same document renders to the same bytes."""
        font = _font(Path(settings.PLATFORM_PDF_FONT))
        missing = _missing(font, self._text())
        if missing:
            raise TradingError(
                "pdf_glyph_missing",
                _("The document font cannot print these characters: %(characters)s")
                % {"characters": missing},
            )
        styles = _styles(font.fontName)
        footer = [Paragraph(_markup(line), styles["footer"]) for line in self._footer]
        footer_height = sum(line.wrap(BODY_WIDTH, A4[1])[1] for line in footer)
        buffer = io.BytesIO()
        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=PAGE_NUMBER_BASELINE + FOOTER_GAP + footer_height + FOOTER_GAP,
            title=str(self.title),
            author=str(self.author),
            invariant=True,
            initialFontName=font.fontName,
            lang="zh-CN",
        )
        created = _pdf_date(self.issued_at)

        def decorate(canvas, doc):
            canvas.setDateFormatter(lambda *_ignored: created)
            top = PAGE_NUMBER_BASELINE + FOOTER_GAP + footer_height
            for line in footer:
                top -= line.wrap(BODY_WIDTH, A4[1])[1]
                line.drawOn(canvas, MARGIN, top)
            canvas.setFont(font.fontName, 9)
            canvas.drawCentredString(A4[0] / 2, PAGE_NUMBER_BASELINE, f"— {doc.page} —")

        template.build(self._story(styles), onFirstPage=decorate, onLaterPages=decorate)
        return buffer.getvalue()

    def _text(self) -> str:
        parts = [str(self.title), str(self.number), *self._footer]
        for block in self._body:
            if isinstance(block, str):
                parts.append(block)
            else:
                parts.extend(text for row in block for text in row)
        return "".join(parts)

    def _story(self, styles):
        story = [Paragraph(_markup(self.title), styles["title"])]
        if self.number:
            story.append(Paragraph(_markup(self.number), styles["number"]))
        story.append(Spacer(1, 4 * mm))
        for block in self._body:
            if isinstance(block, str):
                story.append(Paragraph(_markup(block), styles["paragraph"]))
            else:
                story.append(_table(block, styles["cell"]))
                story.append(Spacer(1, 4 * mm))
        return story


def _styles(font_name: str) -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks lines between ideographs as well as at spaces.
    body = ParagraphStyle("body", fontName=font_name, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", body, fontSize=18, leading=26, alignment=TA_CENTER),
        "number": ParagraphStyle("number", body, alignment=TA_CENTER, spaceBefore=2 * mm),
        "paragraph": ParagraphStyle("paragraph", body, firstLineIndent=22, spaceAfter=2 * mm),
        "cell": body,
        "footer": ParagraphStyle("footer", body, fontSize=8, leading=11, textColor=colors.HexColor("#444444")),
    }


def _table(rows: list[tuple[str, str]], style: ParagraphStyle) -> Table:
    table = Table(
        [[Paragraph(_markup(label), style), Paragraph(_markup(value), style)] for label, value in rows],
        colWidths=[BODY_WIDTH * 0.3, BODY_WIDTH * 0.7],
    )
    table.setStyle(TableStyle([
        # The cells hold paragraphs; the table's own font is set too, or it names Helvetica.
        ("FONT", (0, 0), (-1, -1), style.fontName, style.fontSize),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def _pdf_date(moment: datetime) -> str:
    """``moment`` in the platform's time zone as a PDF date (D:YYYYMMDDHHmmSS+HH'mm')."""
    local = timezone.localtime(moment)
    offset = int(local.utcoffset().total_seconds()) // 60
    sign = "+" if offset >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(offset) // 60:02d}'{abs(offset) % 60:02d}'"


def documents_check() -> str | None:
    """None if an official document renders with the configured font, else what is wrong."""
    document = OfficialDocument(title="成交确认书 Deal Confirmation", issued_at=timezone.now())
    document.add_rows([("大写 In capitals", REQUIRED_CHARACTERS)])
    try:
        document.render()
    except (ImproperlyConfigured, TradingError) as error:
        return str(error)
    return None

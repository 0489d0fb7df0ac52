"""Legal citations as each language writes them.

The rule table and the code keep a source in one form, the law then its article: "招标投标法实施条例
Art 26", "招标投标法 Art 24; 政府采购法 Art 35". English text prints that as it is; Chinese text cites
as Chinese legal writing does, the law's name in 《》 and the article in lowercase numerals:
《招标投标法实施条例》第二十六条. A ministry's order is named by its number (财政部令第87号第五十五条),
so it takes no 《》. Whatever is not a citation (a platform rule's note) is left as it is.
"""
import re

from django.utils.translation import get_language

from trading.numerals import article_number

CITATION = re.compile(r"(?P<law>\S.*?)\s+Arts?\.?\s+(?P<article>\d{1,4})\b")
# The endings of a law's or regulation's title, which Chinese writes between 《》.
TITLE_ENDINGS = ("法", "条例", "规定", "办法", "细则", "规则")


def legal_citation(source: str) -> str:
    """``source`` as the reader's language cites it (see the module)."""
    if not source or (get_language() or "").startswith("en"):
        return source
    return "；".join(_chinese(part.strip()) for part in re.split(r"\s*;\s*", source))


def _chinese(part: str) -> str:
    return CITATION.sub(lambda match: f"{_title(match['law'])}第{article_number(int(match['article']))}条", part)


def _title(law: str) -> str:
    if law.endswith(TITLE_ENDINGS) and not law.startswith("《"):
        return f"《{law}》"
    return law

"""The style sheets' colours meet WCAG 2.1 AA (1.4.3): text at least 4.5:1 against what it is drawn
on. A rule that sets both colours is checked as a pair; one that sets only the text's colour is
checked against the backgrounds text sits on: the page, a card, and the header for the header's own
rules. (axe-core checks the pages as drawn in the browser tests; this catches a colour as it is
written.)"""
import re
from pathlib import Path

import pytest
from django.conf import settings

PAGE, CARD, HEADER = "#f6f7f9", "#ffffff", "#9b1c1c"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
HEX = r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"


def _style_sheets() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = list((base / "static").glob("*.css"))
    for app in ("trading", "bidding", "supervisors", "monitoring"):
        found += list((base / app / "static").rglob("*.css"))
    return found


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _pairs(css: str):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in RULE.findall(css):
        colour = re.search(rf"(?<![-\w])color\s*:\s*({HEX})", body)
        background = re.search(rf"background(?:-color)?\s*:\s*({HEX})", body)
        if not colour:
            continue
        selectors = selectors.strip()
        if background:
            yield selectors, colour[1], background[1]
        elif selectors.startswith(("header.top", "details.menu")):
            yield selectors, colour[1], HEADER
        else:
            yield selectors, colour[1], PAGE
            yield selectors, colour[1], CARD


def test_the_check_itself():
    assert round(contrast("#000", "#fff"), 1) == 21.0 and round(contrast("#777", "#fff"), 2) == 4.48


@pytest.mark.parametrize("sheet", _style_sheets(), ids=lambda path: path.name)
def test_text_colours_meet_aa(sheet):
    low = [f"{selectors}: {colour} on {background} is {contrast(colour, background):.2f}:1"
           for selectors, colour, background in _pairs(sheet.read_text())
           if contrast(colour, background) < 4.5]
    assert low == []

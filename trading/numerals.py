"""Amounts in Chinese capital numerals (大写金额), as official documents print them beside the figures.

The rules followed are those of the People's Bank of China, 《支付结算办法》 附件一
《正确填写票据和结算凭证的基本规定》 (银发〔1997〕393号), with the Ministry of Finance's
《会计基础工作规范》 (1996) 第五十二条 where the former leaves a choice:

- The capitals follow 人民币 directly and use 零壹贰叁肆伍陆柒捌玖 拾佰仟 万亿 元角分 整.
- A nonzero digit is always written with its digit, so a leading ten is 壹拾: the PBOC's own example
  writes ¥107,000.53 as 人民币壹拾万柒仟元零伍角叁分, and 拾 alone could be extended in front.
- A run of zeros between two nonzero digits is written as one 零, whether it lies inside a
  four-digit section, crosses a 万 or 亿 boundary or ends at the 元 place (¥1,001 壹仟零壹元,
  ¥100,010,000 壹亿零壹万元, ¥1,680.32 壹仟陆佰捌拾元零叁角贰分). The PBOC rule lets the 零 be
  left out where the run ends at the 万 or 元 place and the 仟 or 角 digit is nonzero; we always
  write it, so one rule covers every zero and ¥107,000.53 reads 壹拾万零柒仟元零伍角叁分. With a
  zero 角 and a nonzero 分 the 零 after 元 is required (¥325.04 叁佰贰拾伍元零肆分).
- Zeros at the end of the yuan figure are not written (¥100,000 壹拾万元整).
- 整 follows an amount that ends at 元 or at 角 (the MoF rule; the PBOC rule allows it after 角),
  and never follows 分. Zero is 人民币零元整; below one yuan the 元 is left out (¥0.05 人民币伍分).
- A section of ten thousand 亿 is written 万亿 (¥1,000,000,000,000 壹万亿元整), as far as the 16
  digits before the point that our DecimalFields hold.

Amounts are yuan as ``Decimal``; an amount with more than two decimal places is refused rather
than rounded, because which rounding applies is the caller's business, and so are negative ones.
"""
from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
# Where a four-digit section ends (power of ten of its last digit) and the word that closes it.
SECTION_WORDS = {4: "万", 8: "亿", 12: "万"}
MAX_INTEGER_DIGITS = 16
CENT = Decimal("0.01")


def amount_in_capitals(amount: Decimal) -> str:
    """``amount`` yuan as 人民币… capitals; raises ``ValueError`` for amounts that have none."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, not {amount}")
    if amount < 0:
        raise ValueError(f"negative amount {amount} has no capitals")
    if amount >= 10**MAX_INTEGER_DIGITS:
        raise ValueError(f"amount {amount} has more than {MAX_INTEGER_DIGITS} digits before the point")
    if amount.quantize(CENT) != amount:
        raise ValueError(f"amount {amount} has more than two decimal places; round it first")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "人民币零元整"
    text = "人民币"
    if yuan:
        text += _yuan(yuan) + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if yuan and (yuan % 10 == 0 or jiao == 0):
        text += "零"
    if jiao:
        text += DIGITS[jiao] + "角"
    return text + (DIGITS[fen] + "分" if fen else "整")


def _yuan(number: int) -> str:
    """The capitals of a positive whole number, without a unit."""
    figures = str(number)
    parts = []
    zeros_pending = False
    for index, figure in enumerate(figures):
        power = len(figures) - 1 - index
        digit = int(figure)
        if digit == 0:
            zeros_pending = True
        else:
            if zeros_pending:
                parts.append("零")
                zeros_pending = False
            parts.append(DIGITS[digit] + PLACES[power % 4])
        # 亿 closes everything above it, so it is written even when its own section is all zeros
        # (壹万亿); 万 only when its section has a digit (壹亿零壹元 has no 万).
        if power in SECTION_WORDS and (power == 8 or number // 10**power % 10**4):
            parts.append(SECTION_WORDS[power])
    return "".join(parts)


LOWER_DIGITS = "零一二三四五六七八九"
LOWER_PLACES = ("", "十", "百", "千")


def article_number(number: int) -> str:
    """A whole number from 1 to 9999 in the lowercase numerals that number a law's articles, as in
    第二十六条, 第一百零三条, 第十条: one 零 for a run of zeros inside, none at the end, and 十 rather
    than 一十 at the start."""
    if not 0 < number < 10_000:
        raise ValueError(f"article number {number} out of range")
    figures = str(number)
    parts, zeros_pending = [], False
    for index, figure in enumerate(figures):
        digit = int(figure)
        if digit == 0:
            zeros_pending = True
            continue
        if zeros_pending:
            parts.append("零")
            zeros_pending = False
        parts.append(LOWER_DIGITS[digit] + LOWER_PLACES[len(figures) - 1 - index])
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text

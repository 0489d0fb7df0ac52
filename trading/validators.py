"""Identity numbers of parties: unified social credit codes and resident ID numbers.

Each check says which rule a wrong value broke, so the person typing it can fix it.
"""
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from 0-9 and the 31 capital letters without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_REGISTRATION_AUTHORITIES = set("123456789ANY")

# GB 11643-1999: 17 digits then a check character from ISO 7064 MOD 11-2.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters (GB 32100-2015); this one has %(n)d."),
            code="uscc_length",
            params={"n": len(value)},
        )
    bad = sorted({ch for ch in value if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code uses only digits and capital letters other than I, O, Z, S and V "
              "(GB 32100-2015); it contains %(chars)s."),
            code="uscc_alphabet",
            params={"chars": " ".join(bad)},
        )
    if value[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise ValidationError(
            _("The first character of a unified social credit code names the registration authority and must "
              "be one of 1-9, A, N or Y (GB 32100-2015)."),
            code="uscc_authority",
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the six-digit administrative division "
              "code (GB 32100-2015)."),
            code="uscc_division",
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code should be %(expected)s, not %(got)s "
              "(GB 32100-2015): a character is mistyped."),
            code="uscc_check",
            params={"expected": expected, "got": value[17]},
        )


def resident_id_check_character(first17: str) -> str:
    return RESIDENT_ID_CHECK[sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS)) % 11]


def validate_resident_id(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters (GB 11643-1999); this one has %(n)d."),
            code="rid_length",
            params={"n": len(value)},
        )
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or a capital X (GB 11643-1999)."),
            code="rid_format",
        )
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > dt.date.today():
        raise ValidationError(
            _("Characters 7 to 14 of a resident ID number are the date of birth (GB 11643-1999); %(date)s is "
              "not a possible one."),
            code="rid_birth_date",
            params={"date": value[6:14]},
        )
    expected = resident_id_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check digit of this resident ID number should be %(expected)s, not %(got)s (GB 11643-1999): "
              "a digit is mistyped."),
            code="rid_check",
            params={"expected": expected, "got": value[17]},
        )

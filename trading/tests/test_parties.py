import pytest
from django.core.exceptions import ValidationError

from trading.errors import TradingError
from trading.models import Organisation
from trading.services import organisation_create
from trading.validators import validate_resident_id, validate_uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "11330100MA0000001P"])
def test_valid_unified_social_credit_codes_pass(code):
    validate_uscc(code)


@pytest.mark.parametrize(
    "code, rule",
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100I43", "uscc_alphabet"),
        ("91350100m000100Y43", "uscc_alphabet"),
        ("B1350100M000100Y43", "uscc_authority"),
        ("9135A100M000100Y43", "uscc_division"),
        ("91350100M000100Y44", "uscc_check"),
    ],
)
def test_wrong_unified_social_credit_codes_name_the_broken_rule(code, rule):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert caught.value.code == rule
    assert "GB 32100" in caught.value.messages[0]


def test_check_character_error_says_which_character_was_expected():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "3" in caught.value.messages[0]


@pytest.mark.parametrize("number", ["11010519491231002X", "440524198001010013"])
def test_valid_resident_ids_pass(number):
    validate_resident_id(number)


@pytest.mark.parametrize(
    "number, rule",
    [
        ("1101051949123100", "rid_length"),
        ("11010519491231002x", "rid_format"),
        ("110105194913310027", "rid_birth_date"),
        ("110105194912310021", "rid_check"),
    ],
)
def test_wrong_resident_ids_name_the_broken_rule(number, rule):
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(number)
    assert caught.value.code == rule
    assert "GB 11643" in caught.value.messages[0]


@pytest.mark.django_db
def test_organisation_with_wrong_code_is_refused_and_nothing_is_stored():
    with pytest.raises(TradingError) as caught:
        organisation_create(name="某公司", uscc="91350100M000100Y44", kind="bidder", actor="system:test")
    assert caught.value.code == "uscc_check"
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_person_holds_several_roles(make_person):
    person = make_person("li", ["regulator", "custodian"])
    assert person.has_role("regulator") and person.has_role("custodian") and not person.has_role("bidder")


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(staff):
    assert staff.password.startswith("argon2$argon2id$")

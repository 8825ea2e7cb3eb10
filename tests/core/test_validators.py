import pytest
from django.core.exceptions import ValidationError

from core.masking import mask_id_number, mask_phone
from core.money import to_money
from core.validators import validate_credit_code, validate_id_number, validate_phone


def test_credit_code_accepts_lower_case_and_spaces():
    assert validate_credit_code(" 91210204ay4cl12t2y ") == "91210204AY4CL12T2Y"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("91210204AY4CL12T2X", "校验位"),
        ("91210204AY4CL12T2", "18位"),
        ("91210204AY4CL12TIY", "非法字符"),
    ],
)
def test_credit_code_rejections_say_why(value, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert fragment in exc.value.messages[0]


def test_id_number_check_digit_and_birth_date():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError, match="校验位"):
        validate_id_number("110105194912310021")
    # 1949-02-30 is not a date, whatever the check digit says.
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("110105194902300020")


def test_phone_mobile_and_landline():
    assert validate_phone("138 1234 5678") == "13812345678"
    assert validate_phone("0411-84661234") == "0411-84661234"
    with pytest.raises(ValidationError, match="电话号码"):
        validate_phone("12812345678")


def test_masks_keep_only_the_ends():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"


def test_money_is_exact_and_refuses_floats():
    assert str(to_money("1,234.50")) == "1234.50"
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(ValueError):
        to_money("1.005")

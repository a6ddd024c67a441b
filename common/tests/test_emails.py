import pytest

from plr_common import check_email

CASES = [
    ("sam.learner@example.com", "sam.learner@example.com"),
    ("  sam@example.com ", "sam@example.com"),
    ("Sam.Learner@Example.CO.UK", "Sam.Learner@example.co.uk"),  # domain lower-cased only
    ("first+tag@example.org", "first+tag@example.org"),
    ("a@b\u00fccher.de", "a@b\u00fccher.de"),
    ("a" * 64 + "@" + "b" * 60 + ".com", "a" * 64 + "@" + "b" * 60 + ".com"),
    ("", None),
    ("sam", None),
    ("sam@", None),
    ("@example.com", None),
    ("sam@@example.com", None),
    ("sam example@example.com", None),
    ("sam@localhost", None),
    ("sam@example", None),
    ("s\u00fcm@example.com", None),  # SMTPUTF8 local part refused
    ("a@" + ".".join(["b" * 60] * 4) + ".com", "a@" + ".".join(["b" * 60] * 4) + ".com"),  # 249
    ("a@" + ".".join(["b" * 50] * 5) + ".com", None),  # 261 characters: over 254
    ("sam.@example.com", None),
]


@pytest.mark.parametrize("text, value", CASES)
def test_check_email(text, value):
    result = check_email(text)
    assert result.value == value
    assert result.error == (None if value else "email_format")

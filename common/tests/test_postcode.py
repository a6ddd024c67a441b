import pytest

from plr_common import check_postcode

CASES = [
    ("SW1A 1AA", "SW1A 1AA"),
    ("sw1a1aa", "SW1A 1AA"),
    ("  sw1a   1aa ", "SW1A 1AA"),
    ("M1 1AE", "M1 1AE"),
    ("B33 8TH", "B33 8TH"),
    ("CR2 6XH", "CR2 6XH"),
    ("DN55 1PT", "DN55 1PT"),
    ("W1A 0AX", "W1A 0AX"),
    ("EC1V 9HD", "EC1V 9HD"),
    ("CF10 3AT", "CF10 3AT"),
    ("BT1 5GS", "BT1 5GS"),
    ("BF1 3AA", "BF1 3AA"),
    ("GIR 0AA", "GIR 0AA"),
    ("gir0aa", "GIR 0AA"),
    ("s w one a one a a", "SW1A 1AA"),
    ("c f ten three a t", "CF10 3AT"),
    ("", None),
    ("SW1A", None),
    ("SW1A 1A", None),
    ("SW1A 1AAA", None),
    ("1AA SW1", None),
    ("QA1 1AA", None),  # Q never first
    ("AJ1 1AA", None),  # J never second
    ("W1I 1AA", None),  # I not allowed as the A9A letter
    ("EC1Z 1AA", None),  # Z not allowed as the AA9A letter
    ("SW1A 1CA", None),  # C never an inward letter
    ("SW1A 1AO", None),  # O never an inward letter
    ("BFPO 1234", None),
    ("ASCN 1ZZ", None),
    ("SW1A-1AA", "SW1A 1AA"),
    ("90210", None),
    ("hello", None),
]


@pytest.mark.parametrize("text, value", CASES)
def test_check_postcode(text, value):
    result = check_postcode(text)
    assert result.value == value
    assert result.error == (None if value else "postcode_format")

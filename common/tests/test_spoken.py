from datetime import date

import pytest

from plr_common import check_date_of_birth, spoken_digits, spoken_postcode

DIGITS = [
    ("one two three", "123"),
    ("one seven four eight", "1748"),
    ("zero", "0"),
    ("oh", "0"),
    ("o", "0"),
    ("nought", "0"),
    ("one oh four", "104"),
    ("double seven", "77"),
    ("double oh", "00"),
    ("double 7", "77"),
    ("triple five", "555"),
    ("treble two", "222"),
    ("triple oh seven", "0007"),
    ("one double four two", "1442"),
    ("fifty two", "52"),
    ("fifty-two", "52"),
    ("forty", "40"),
    ("seventeen", "17"),
    ("seventeen forty eight", "1748"),
    ("ten", "10"),
    ("twenty oh two", "2002"),
    ("one hundred", "100"),
    ("one hundred and five", "105"),
    ("three hundred twenty", "320"),
    ("two thousand", "2000"),
    ("two thousand and two", "2002"),
    ("nineteen hundred", "1900"),
    ("17 48 five two nine", "1748529"),
    ("1748 five two nine 632", "1748529632"),
    ("um one er two", "12"),
    ("erm, one, two... three", "123"),
    ("uh it's one two three", "123"),
    ("my number is one two three", "123"),
    ("One Two THREE", "123"),
    ("one-two-three", "123"),
    ("", None),
    ("um er", None),
    ("hello", None),
    ("one two banana", None),
    ("double", None),
    ("double seventy", None),
    ("double banana", None),
    ("a hundred", None),
]


@pytest.mark.parametrize("text, digits", DIGITS)
def test_spoken_digits(text, digits):
    assert spoken_digits(text) == digits


POSTCODES = [
    ("s w one a one a a", "SW1A 1AA"),
    ("S W 1 A 1 A A", "SW1A 1AA"),
    ("s w one a one double a", "SW1A 1AA"),
    ("ess double u one a one a a", "SW1A 1AA"),
    ("s double-u one a one a a", "SW1A 1AA"),
    ("s for sierra w for whiskey one a one a a", "SW1A 1AA"),
    ("sierra whiskey one alpha one alpha alpha", "SW1A 1AA"),
    ("sw1a one a a", "SW1A 1AA"),
    ("sw1a 1aa", "SW1A 1AA"),
    ("my postcode is s w one a one a a", "SW1A 1AA"),
    ("um s w er one a one a a", "SW1A 1AA"),
    ("c f ten three a t", "CF10 3AT"),
    ("c f one oh three a t", "CF10 3AT"),  # "oh" can only be 0 here
    ("see ef ten three ay tee", "CF10 3AT"),
    ("charlie foxtrot one zero three alpha tango", "CF10 3AT"),
    ("oh ex four one double e", "OX4 1EE"),  # "oh" can only be O here
    ("o l one one a a", "OL1 1AA"),
    ("m one one a e", "M1 1AE"),
    ("b thirty three eight t h", "B33 8TH"),
    ("b three three eight t aitch", "B33 8TH"),
    ("e c one v nine h d", "EC1V 9HD"),
    ("w one a oh a x", "W1A 0AX"),
    ("b t one five g s", "BT1 5GS"),
    ("d n fifty five one p t", "DN55 1PT"),
    ("x-ray x-ray one one a a", None),  # X is never a first letter
    ("g i r oh a a", "GIR 0AA"),
    ("n w one for a a", "NW1 4AA"),  # "for" written for four
    ("s for sugar w one a one a a", "SW1A 1AA"),  # any example word with the right letter
    ("s for whiskey w one a one a a", None),  # wrong example: "for" is read as four
    ("", None),
    ("um", None),
    ("hello there", None),
    ("s w one a", None),  # no inward code
    ("s w one a one a a a", None),
    ("q w one a one a a", None),
    ("s w one a one c a", None),  # C never an inward letter
    ("zed e one one a a", "ZE1 1AA"),
    ("zed zed ninety nine nine zed zed", None),  # ZZ99 pseudo-postcode: Z never second
    ("double double a", None),
]


@pytest.mark.parametrize("text, postcode", POSTCODES)
def test_spoken_postcode(text, postcode):
    assert spoken_postcode(text) == postcode


SPOKEN_DATES = [
    ("twenty-first of june two thousand and two", "2002-06-21"),
    ("the third of april nineteen ninety nine", "1999-04-03"),
    ("um the twelfth of march er two thousand and one", "2001-03-12"),
    ("first of january two thousand", "2000-01-01"),
    ("the eleventh of november nineteen eighty five", "1985-11-11"),
    ("thirtieth of september two thousand and ten", "2010-09-30"),
    ("june the twenty second twenty oh five", "2005-06-22"),
    ("august the fourth oh eight", "2008-08-04"),
]


@pytest.mark.parametrize("text, iso", SPOKEN_DATES)
def test_spoken_dates(text, iso):
    assert check_date_of_birth(text, date(2025, 6, 15)).value == iso

"""Welsh dates, numbers, yes/no and spoken digits (plr_common.welsh), table by table."""
from datetime import date

import pytest

from plr_common import check_date_of_birth, spoken_digits
from plr_common.welsh import cardinal, date_parts, day, yes_no

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("text, expected", [
    ("14 Mawrth 2002", (14, 3, 2002)),
    ("14eg o Fawrth 2002", (14, 3, 2002)),
    ("y pedwerydd ar ddeg o Fawrth dwy fil a dau", (14, 3, 2002)),
    ("1af Ionawr 2001", (1, 1, 2001)),
    ("2il o Chwefror 1999", (2, 2, 1999)),
    ("21ain Mehefin 2001", (21, 6, 2001)),
    ("30 Medi 1998", (30, 9, 1998)),
    ("ces i fy ngeni ar y trydydd o Dachwedd dwy fil a phedwar", (3, 11, 2004)),
    ("ces i fy ngeni ar y trydydd o Dachwedd dwy fil a pedwar", (3, 11, 2004)),
    ("un deg naw Gorffennaf un naw naw wyth", (19, 7, 1998)),
    ("unfed ar hugain o Ragfyr mil naw cant naw deg naw", (21, 12, 1999)),
    ("5 Mai 2003", (5, 5, 2003)),
    ("ym mis Chwefror", None),  # a month without a day is not a date of birth
    ("14 March 2002", None),  # English is for the English parser
])
def test_welsh_dates(text, expected):
    assert date_parts(text) == expected


def test_welsh_dates_reach_the_date_of_birth_check():
    assert check_date_of_birth("14 Mawrth 2002", TODAY).value == "2002-03-14"
    assert check_date_of_birth("y degfed o Hydref dwy fil ac un", TODAY).value == "2001-10-10"
    assert check_date_of_birth("31 Chwefror 2002", TODAY).error == "date_impossible"


@pytest.mark.parametrize("text, expected", [
    ("naw", 9), ("un deg pedwar", 14), ("dau ddeg", 20), ("tri deg un", 31), ("pymtheg", 15),
    ("un ar bymtheg", 16), ("dau ar hugain", 22), ("deg ar hugain", 30), ("dwy fil a dau", 2002),
    ("mil naw cant naw deg wyth", 1998), ("dwy fil ac un deg", 2010), ("deunaw", 18),
    ("un ar ddeg", 11),
])
def test_welsh_numbers(text, expected):
    toks = text.split()
    assert cardinal(toks, 0) == (expected, len(toks))


@pytest.mark.parametrize("text, expected", [
    ("14eg", 14), ("pedwerydd ar ddeg", 14), ("cyntaf", 1), ("unfed ar hugain", 21),
    ("un deg pump", 15), ("32", 32), ("tri deg dau", None),
])
def test_days(text, expected):
    assert day(text.split()) == expected


@pytest.mark.parametrize("text, expected", [
    ("ie", True), ("Ydw", True), ("ydy", True), ("do", True), ("iawn", True), ("ie plis", True),
    ("na", False), ("nac ydw", False), ("Naddo.", False), ("dim diolch", False), ("nac oes", False),
    ("efallai", None), ("yes", None),
])
def test_yes_no(text, expected):
    assert yes_no(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("un saith pedwar wyth pump dau naw chwech tri dau", "1748529632"),
    ("un dim dim dim dim dim dim dim pedwar tri", "1000000043"),
    ("fy rhif yw un saith pedwar wyth 529632", "1748529632"),
    ("un saith bla", None),
])
def test_welsh_spoken_digits(text, expected):
    assert spoken_digits(text) == expected


def test_english_spoken_digits_are_unchanged():
    assert spoken_digits("one seven four eight double five") == "174855"

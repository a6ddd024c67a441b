from datetime import date

import pytest

from plr_common import check_date_of_birth

TODAY = date(2025, 6, 15)

FORMATS = [
    ("12/03/2001", "2001-03-12"),
    ("12-3-01", "2001-03-12"),
    ("12.03.2001", "2001-03-12"),
    ("12 03 2001", "2001-03-12"),
    ("1/3/2001", "2001-03-01"),  # day first, never US month first
    ("12032001", "2001-03-12"),
    ("120301", "2001-03-12"),
    ("2001-03-12", "2001-03-12"),
    ("2001/03/12", "2001-03-12"),
    ("2001-03-12T00:00:00.000+01:00", "2001-03-12"),
    ("12 March 2001", "2001-03-12"),
    ("12 Mar 01", "2001-03-12"),
    ("12-Mar-2001", "2001-03-12"),
    ("12 Sept 2001", "2001-09-12"),
    ("12th of March 2001", "2001-03-12"),
    ("12th March, 2001", "2001-03-12"),
    ("March 12 2001", "2001-03-12"),
    ("March 12th, 2001", "2001-03-12"),
    ("1st May '99", "1999-05-01"),
    ("born on the 5th of November, 1990.", "1990-11-05"),
    ("my date of birth is 12/03/2001", "2001-03-12"),
    # spoken
    ("twelfth of march two thousand and one", "2001-03-12"),
    ("twenty-first of june two thousand and two", "2002-06-21"),
    ("twenty first of june two thousand two", "2002-06-21"),
    ("the third of april nineteen ninety nine", "1999-04-03"),
    ("um the first of may nineteen eighty", "1980-05-01"),
    ("thirty first of december nineteen seventy", "1970-12-31"),
    ("the thirtieth of january two thousand", "2000-01-30"),
    ("march the twelfth oh one", "2001-03-12"),
    ("march twenty first nineteen ninety", "1990-03-21"),
    ("march twelve two thousand and one", "2001-03-12"),
    ("fifth of november nineteen oh five", "1905-11-05"),
    ("second of july twenty ten", "2010-07-02"),
    ("ninth of may nineteen hundred", None),  # readable, but age 125
    ("twelve march ninety nine", "1999-03-12"),
]


@pytest.mark.parametrize("text, value", FORMATS)
def test_formats(text, value):
    result = check_date_of_birth(text, TODAY)
    assert result.value == value
    if value is None:
        assert result.error == "age_over_120"


ERRORS = [
    ("", "date_unreadable"),
    ("yesterday", "date_unreadable"),
    ("12 March", "date_unreadable"),  # no year
    ("March 2001", "date_unreadable"),  # no day
    ("march twenty one", "date_unreadable"),  # "one" is not a year
    ("12/03", "date_unreadable"),
    ("12/03-2001", "date_unreadable"),  # mixed separators
    ("12/03/201", "date_unreadable"),  # three-digit year
    ("12 March 12 April 2001", "date_unreadable"),
    ("31/02/2001", "date_impossible"),
    ("03/25/2001", "date_impossible"),  # US order: month 25
    ("00/03/2001", "date_impossible"),
    ("32nd of March 2001", "date_impossible"),
    ("thirty second of march two thousand and one", "date_impossible"),
    ("31 April 2001", "date_impossible"),
]


@pytest.mark.parametrize("text, error", ERRORS)
def test_errors(text, error):
    result = check_date_of_birth(text, TODAY)
    assert (result.value, result.error) == (None, error)


# Boundaries, each with its own "today" so nothing depends on the clock.
EDGES = [
    # 29 February
    ("29/02/2000", TODAY, "2000-02-29", None),  # leap (divisible by 400)
    ("29/02/2004", TODAY, "2004-02-29", None),
    ("29/02/2001", TODAY, None, "date_impossible"),
    ("29/02/1900", date(2000, 1, 1), None, "date_impossible"),  # not a leap year
    ("29/02/00", TODAY, "2000-02-29", None),  # two-digit year resolves to 2000
    # a 29 Feb 2012 child turns 13 on 1 March 2025, a non-leap year
    ("29 February 2012", date(2025, 2, 28), None, "age_under_13"),
    ("29/02/2012", date(2025, 2, 28), None, "age_under_13"),
    ("29/02/2012", date(2025, 3, 1), "2012-02-29", None),
    ("29/02/2012", date(2024, 2, 29), None, "age_under_13"),  # 12 that day
    # 13 years
    ("15/06/2012", TODAY, "2012-06-15", None),  # 13th birthday today
    ("16/06/2012", TODAY, None, "age_under_13"),  # 13 tomorrow
    ("14/06/2012", TODAY, "2012-06-14", None),
    # 120 years
    ("15/06/1905", TODAY, "1905-06-15", None),  # 120 today
    ("16/06/1904", TODAY, "1904-06-16", None),  # 120, 121 tomorrow
    ("15/06/1904", TODAY, None, "age_over_120"),  # 121 today
    ("01/01/1800", TODAY, None, "age_over_120"),
    # future and today
    ("16/06/2025", TODAY, None, "date_future"),
    ("01/01/2030", TODAY, None, "date_future"),
    ("15/06/2025", TODAY, None, "age_under_13"),  # born today is not the future
    # two-digit years: the most recent year that keeps the birthday in the past
    ("12/03/01", TODAY, "2001-03-12", None),
    ("12/03/99", TODAY, "1999-03-12", None),
    ("15/06/25", TODAY, None, "age_under_13"),  # 2025-06-15 is today
    ("16/06/25", TODAY, "1925-06-16", None),  # 2025-06-16 would be tomorrow
    ("14/06/12", TODAY, "2012-06-14", None),
    ("16/06/12", TODAY, None, "age_under_13"),  # 2012, not 1912
    ("12/03/01", date(2101, 1, 1), "2001-03-12", None),
    ("12/03/01", date(2101, 3, 11), "2001-03-12", None),
    ("12/03/01", date(2101, 3, 12), None, "age_under_13"),  # 2101-03-12 is today
]


@pytest.mark.parametrize("text, today, value, error", EDGES)
def test_edges(text, today, value, error):
    result = check_date_of_birth(text, today)
    assert (result.value, result.error) == (value, error)

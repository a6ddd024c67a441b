import pytest

from plr_common import check_uln, mask_uln

# Every vector from plr-facts.md section 5, then separators and spoken forms.
CASES = [
    ("1748529632", "1748529632", None),
    ("1000000043", "1000000043", None),
    ("1234567899", "1234567899", None),
    ("9999999998", "9999999998", None),
    ("1748529631", None, "uln_check_digit"),
    ("1748529633", None, "uln_check_digit"),
    ("1000000063", None, "uln_check_digit"),  # r = 0
    ("1234567890", None, "uln_check_digit"),
    ("9999999999", None, "uln_check_digit"),  # the placeholder
    ("0000000042", None, "uln_leading_zero"),
    ("123456789", None, "uln_length"),
    ("ABC4567890", None, "uln_not_digits"),
    ("17485296320", None, "uln_length"),
    ("", None, "uln_length"),
    ("   ", None, "uln_length"),
    ("1748 529 632", "1748529632", None),
    ("1748-529-632", "1748529632", None),
    ("1748.529.632", "1748529632", None),
    (" 1748529632\n", "1748529632", None),
    ("174852963X", None, "uln_not_digits"),
    ("my uln is 1748529632", "1748529632", None),
    ("one seven four eight five two nine six three two", "1748529632", None),
    ("seventeen forty-eight five two nine six three two", "1748529632", None),
    ("one oh oh oh oh oh oh oh four three", "1000000043", None),
    ("one double oh double oh triple oh four three", "1000000043", None),
    ("double nine double nine double nine double nine nine eight", "9999999998", None),
    ("um one two three four five six seven eight nine nine", "1234567899", None),
    ("one seven four eight five two nine six three", None, "uln_length"),
    ("one seven four eight five two nine six three one", None, "uln_check_digit"),
    ("oh oh oh oh oh oh oh oh four two", None, "uln_leading_zero"),
    ("hello there", None, "uln_not_digits"),
    ("\u0661\u0667\u0664\u0668\u0665\u0662\u0669\u0666\u0663\u0662", None, "uln_not_digits"),
]


@pytest.mark.parametrize("text, value, error", CASES)
def test_check_uln(text, value, error):
    result = check_uln(text)
    assert (result.value, result.error, result.ok) == (value, error, error is None)


@pytest.mark.parametrize(
    "uln, masked",
    [
        ("1748529632", "*******632"),
        ("1748 529 632", "*******632"),
        ("1234", "*234"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_uln(uln, masked):
    assert mask_uln(uln) == masked


def test_every_valid_check_digit_is_unique():
    # For each 9-digit stem at most one last digit passes, and stems with r = 0 have none.
    for stem in ("174852963", "100000004", "100000006", "999999999", "123456789"):
        passing = [d for d in "0123456789" if check_uln(stem + d).ok]
        assert len(passing) <= 1
    assert not any(check_uln("100000006" + d).ok for d in "0123456789")

import pytest

from plr_common import check_name

CASES = [
    ("Sarah", "Sarah", None),
    ("  Sarah  ", "Sarah", None),
    ("mary   jane", "mary jane", None),
    ("Mary-Jane", "Mary-Jane", None),
    ("O'Neill", "O'Neill", None),
    ("O\u2019Neill", "O'Neill", None),  # curly apostrophe folded
    ("O\u2018Neill", "O'Neill", None),
    ("Smith\u2010Jones", "Smith-Jones", None),  # Unicode hyphen folded
    ("Si\u00e2n", "Si\u00e2n", None),
    ("Sia\u0302n", "Si\u00e2n", None),  # decomposed accent composed (NFC)
    ("Zo\u00eb", "Zo\u00eb", None),
    ("\u0141ukasz", "\u0141ukasz", None),
    ("Ng", "Ng", None),
    ("No", "No", None),  # a real family name, not a refusal
    ("J", "J", None),
    ("van der Berg", "van der Berg", None),
    ("'t Hooft", "'t Hooft", None),
    ("Anne-Marie Catherine Elizabeth Smit", "Anne-Marie Catherine Elizabeth Smit", None),  # 35
    ("Anne-Marie Catherine Elizabeth Smith", None, "name_too_long"),  # 36 characters
    ("  Anne-Marie   Catherine Elizabeth Smit ", "Anne-Marie Catherine Elizabeth Smit", None),
    # Full stops and commas, which the LRS accepts in names (plr-facts.md section 6).
    ("St. John", "St. John", None),
    ("St.John", "St.John", None),
    ("O'Neil-Smith", "O'Neil-Smith", None),
    ("J.-P. Martin", "J.-P. Martin", None),
    ("Smith, Jr.", "Smith, Jr.", None),
    ("", None, "name_empty"),
    ("   ", None, "name_empty"),
    ("12345", None, "name_not_a_name"),
    ("12 34", None, "name_not_a_name"),
    ("--", None, "name_not_a_name"),
    ("I don't know", None, "name_not_a_name"),
    ("not sure", None, "name_not_a_name"),
    ("Smith-", None, "name_not_a_name"),
    ("-Smith", None, "name_not_a_name"),
    ("Smith--Jones", None, "name_not_a_name"),
    ("Aaaaa", None, "name_not_a_name"),
    ("St..John", None, "name_not_a_name"),
    ("Smith,,Jones", None, "name_not_a_name"),
    ("Smith, .Jones", None, "name_not_a_name"),
    ("Smith .Jones", None, "name_not_a_name"),
    (".Smith", None, "name_not_a_name"),
    (",Smith", None, "name_not_a_name"),
    ("Smith,", None, "name_not_a_name"),
    ("O'.Neil", None, "name_not_a_name"),
    ("Smith-.Jones", None, "name_not_a_name"),
    ("not sure.", None, "name_not_a_name"),
    ("I don't know.", None, "name_not_a_name"),
    ("...", None, "name_not_a_name"),
    (", .", None, "name_not_a_name"),
    ("St. John 2", None, "name_characters"),
    ("John2", None, "name_characters"),
    ("O'Neil-Smith3", None, "name_characters"),
    ("Smith; Jones", None, "name_characters"),
    ("Smith/Jones", None, "name_characters"),
    ("Smith!", None, "name_characters"),
    ("John_Smith", None, "name_characters"),
    ("john@example.com", None, "name_characters"),
    ("\u03a9mega", None, "name_characters"),  # Greek
    ("\u0418\u0432\u0430\u043d", None, "name_characters"),  # Cyrillic
    ("Sarah \U0001f600", None, "name_characters"),
]


@pytest.mark.parametrize("text, value, error", CASES)
def test_check_name(text, value, error):
    result = check_name(text)
    assert (result.value, result.error) == (value, error)

"""What a caller says or keys, read the way the phone line reads it: the channel turns the
Twilio turn into the assistant's message (channels/voice_input.py), and the form validators
read spoken numbers, dates and postcodes through plr_common (the same code as the web chat).

plr_common's own tests (common/tests/test_spoken.py) cover the word parsers; these cases are
phrased the way Twilio's speech-to-text returns them ("One seven four eight.", "S W 1 A 1 A A")
and go through the channel first, so a change on either side shows here.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from plr_common import check_date_of_birth, check_postcode, check_uln

from actions.details import strip_answer_prefix
from channels.voice_directives import VoiceDirective
from channels.voice_input import HANDOFF_MESSAGE, is_handoff_request, read_caller_input, spoken_email

TODAY = date(2025, 6, 15)
YES_NO = VoiceDirective(keys={"1": "/affirm", "2": "/deny"}, num_digits=1)
ULN_QUESTION = VoiceDirective(num_digits=10, finish_on_key="#", expect="uln")
DATE_QUESTION = VoiceDirective(num_digits=8, finish_on_key="#", expect="date")
POSTCODE_QUESTION = VoiceDirective(expect="postcode")
EMAIL_QUESTION = VoiceDirective(expect="email", keys={"2": "/deny"})


def heard(speech=None, digits=None, directive=None) -> str:
    caller = read_caller_input(speech, digits, directive)
    assert caller.kind == "message", caller
    return strip_answer_prefix(caller.text)


ULNS = [
    ("One seven four eight five two nine six three two.", "1748529632"),
    ("1748 529 632", "1748529632"),
    ("1748529632.", "1748529632"),
    ("seventeen forty-eight five two nine six three two", "1748529632"),
    ("One seven four eight, five two nine, six three two.", "1748529632"),
    ("Um, it's one seven four eight five two nine six three two.", "1748529632"),
    ("My ULN is 1748 529 632.", "1748529632"),
    ("one oh oh oh oh oh oh oh four three", "1000000043"),
    ("One double oh double oh double oh oh four three.", "1000000043"),
    ("one treble oh treble oh oh four three", "1000000043"),
    ("One, two, three, four, five, six, seven, eight, nine, nine.", "1234567899"),
    ("twelve thirty four fifty six seventy eight ninety nine", "1234567899"),
    ("Nine nine nine nine nine nine nine nine nine eight.", "9999999998"),
    ("nine triple nine triple nine double nine eight", "9999999998"),
]


@pytest.mark.parametrize("speech, uln", ULNS)
def test_spoken_ulns(speech, uln):
    # The channel hands the assistant the digits (what the NLU knows as an answer) ...
    assert read_caller_input(speech, None, ULN_QUESTION).text == uln
    # ... and the validator reads the raw speech the same way (the web chat's path).
    assert check_uln(heard(speech)).value == uln


@pytest.mark.parametrize("speech, error", [
    ("one seven four eight five two nine six three one", "uln_check_digit"),
    ("one triple oh triple oh four three", "uln_length"),  # nine digits
    ("oh one seven four eight five two nine six three", "uln_leading_zero"),
    ("I think it's on my certificate", "uln_not_digits"),
])
def test_spoken_ulns_that_are_refused(speech, error):
    assert check_uln(heard(speech, directive=ULN_QUESTION)).error == error


@pytest.mark.parametrize("digits, uln", [("1748529632", "1748529632"), ("1748529632#", "1748529632"),
                                          ("1000000043", "1000000043")])
def test_keyed_ulns(digits, uln):
    assert check_uln(heard(digits=digits, directive=ULN_QUESTION)).value == uln


DATES = [
    ("Twenty-first of June two thousand and two.", "2002-06-21"),
    ("the twenty first of june two thousand and two", "2002-06-21"),
    ("21st of June 2002.", "2002-06-21"),
    ("June the 21st, 2002.", "2002-06-21"),
    ("The third of April nineteen ninety nine.", "1999-04-03"),
    ("third April 1999", "1999-04-03"),
    ("March the twelfth, two thousand and one.", "2001-03-12"),
    ("It's the 12th of March 2001.", "2001-03-12"),
    ("twelfth of march oh one", "2001-03-12"),
    ("First of January two thousand.", "2000-01-01"),
    ("thirty first of december nineteen eighty", "1980-12-31"),
    ("The twenty second of February twenty ten.", "2010-02-22"),
    ("second of may oh five", "2005-05-02"),
    ("fourteenth of july two thousand and ten", "2010-07-14"),
    ("Um, the eleventh of November, nineteen eighty five.", "1985-11-11"),
]


@pytest.mark.parametrize("speech, iso", DATES)
def test_spoken_dates_of_birth(speech, iso):
    said = read_caller_input(speech, None, DATE_QUESTION).text
    assert re.fullmatch(r"\d{2}/\d{2}/(\d{2}|\d{4})", said), said  # "21/06/2002", "12/03/01"
    assert check_date_of_birth(said, TODAY).value == iso
    assert check_date_of_birth(heard(speech), TODAY).value == iso


@pytest.mark.parametrize("digits, iso", [("21062002", "2002-06-21"), ("03042001#", "2001-04-03"),
                                          ("120301", "2001-03-12"), ("01011990", "1990-01-01")])
def test_keyed_dates_of_birth(digits, iso):
    assert check_date_of_birth(heard(digits=digits, directive=DATE_QUESTION), TODAY).value == iso


@pytest.mark.parametrize("speech, error", [
    ("thirty first of february two thousand", "date_impossible"),
    ("the twelfth of march", "date_unreadable"),
    ("first of january twenty twenty", "age_under_13"),
])
def test_spoken_dates_that_are_refused(speech, error):
    assert check_date_of_birth(heard(speech), TODAY).error == error
    # Read or not, the validator still gets something it can explain.
    assert check_date_of_birth(heard(speech, directive=DATE_QUESTION), TODAY).error == error


POSTCODES = [
    ("S W 1 A 1 A A.", "SW1A 1AA"),
    ("s w one a one a a", "SW1A 1AA"),
    ("SW1A 1AA.", "SW1A 1AA"),
    ("C F ten three A T.", "CF10 3AT"),
    ("c f one oh three a t", "CF10 3AT"),
    ("My postcode is C F 10 3 A T.", "CF10 3AT"),
    ("L S one four A W.", "LS1 4AW"),
    ("C V one one W T", "CV1 1WT"),
    ("S K nine five A F.", "SK9 5AF"),
    ("Sierra whiskey one alpha, one alpha alpha.", "SW1A 1AA"),
    ("S for sugar, W one A, one A A.", "SW1A 1AA"),
    ("B thirty three eight T H.", "B33 8TH"),
    ("E C one V nine H D", "EC1V 9HD"),
    ("N W one for A A", "NW1 4AA"),
    ("M one one A E.", "M1 1AE"),
    ("B T one five G S.", "BT1 5GS"),
]


@pytest.mark.parametrize("speech, postcode", POSTCODES)
def test_spoken_postcodes(speech, postcode):
    assert read_caller_input(speech, None, POSTCODE_QUESTION).text == postcode
    assert check_postcode(heard(speech)).value == postcode


@pytest.mark.parametrize("speech", ["S W one A", "Q W one A one A A", "I'm not sure", "London"])
def test_spoken_postcodes_that_are_refused(speech):
    assert check_postcode(heard(speech)).error == "postcode_format"
    assert read_caller_input(speech, None, POSTCODE_QUESTION).text == speech


EMAILS = [
    ("jane dot smith at example dot com", "jane.smith@example.com"),
    ("Jane.Smith@example.com.", "jane.smith@example.com"),
    ("My email is jane underscore smith at example dot co dot uk", "jane_smith@example.co.uk"),
    ("j smith at example dot org", "jsmith@example.org"),
    ("jane hyphen smith at mail dot example dot com", "jane-smith@mail.example.com"),
    ("it's jane double o at example dot com", "janeoo@example.com"),
]


@pytest.mark.parametrize("speech, email", EMAILS)
def test_spoken_email_addresses(speech, email):
    assert heard(speech, directive=EMAIL_QUESTION) == email
    assert spoken_email(speech) == email


@pytest.mark.parametrize("speech", ["no", "No thanks.", "I'd rather not", "jane smith"])
def test_what_is_not_an_email_address_passes_unchanged(speech):
    assert spoken_email(speech) is None
    assert read_caller_input(speech, None, EMAIL_QUESTION).text == speech


@pytest.mark.parametrize("speech, digits, message", [
    (None, "1", "/affirm"),
    (None, "2", "/deny"),
    ("One.", None, "/affirm"),
    ("two", None, "/deny"),
    ("Number one.", None, "/affirm"),
    ("Press two.", None, "/deny"),
    ("Yes.", None, "Yes."),
    ("no thank you", None, "no thank you"),
    (None, "3", "3"),  # not on the menu: the assistant re-asks
])
def test_keypad_and_spoken_menu_choices(speech, digits, message):
    caller = read_caller_input(speech, digits, YES_NO)
    assert (caller.kind, caller.text) == ("message", message)
    assert caller.keypad == bool(digits)


def test_a_spoken_number_is_not_a_menu_choice_when_there_is_no_menu():
    assert read_caller_input("one", None, ULN_QUESTION).text == "one"


@pytest.mark.parametrize("speech", ["yes", "No, I don't know it.", "I'm 19", "one two three"])
def test_answers_that_are_not_a_uln_are_left_to_the_assistant(speech):
    assert read_caller_input(speech, None, ULN_QUESTION).text == speech


@pytest.mark.parametrize("speech", [
    "Adviser.", "advisor", "An adviser please.", "Operator!", "Can I speak to a person?", "I want a human",
    "let me talk to someone", "Put me through to an agent please", "real person", "speak to the helpdesk",
])
def test_asking_for_a_person(speech):
    assert is_handoff_request(speech)
    assert read_caller_input(speech, None).text == HANDOFF_MESSAGE


@pytest.mark.parametrize("speech", [
    "my adviser at college said I should opt out", "Jane", "what is a person's ULN", "yes", "no one",
    "a person can't see my record can they",
])
def test_sentences_that_mention_people_are_left_to_the_assistant(speech):
    assert not is_handoff_request(speech)


def test_zero_star_and_silence():
    assert read_caller_input(None, "0").kind == "handoff"
    assert read_caller_input(None, "0#").kind == "handoff"
    assert read_caller_input(None, "*").kind == "repeat"
    assert read_caller_input(None, None).kind == "silence"
    assert read_caller_input("   ", "").kind == "silence"
    assert read_caller_input(None, "#").kind == "silence"


def test_speech_cannot_send_an_intent():
    assert read_caller_input("/restart", None).text == "restart"
    assert read_caller_input('/inform{"uln": "1"}', None).text.startswith("inform")


def test_low_confidence_speech_counts_as_unheard_only_when_configured():
    assert read_caller_input("yes", None, confidence=0.05).kind == "message"
    assert read_caller_input("yes", None, confidence=0.05, min_confidence=0.2).kind == "silence"
    assert read_caller_input("yes", None, confidence=0.9, min_confidence=0.2).kind == "message"


REFERENCE_QUESTION = VoiceDirective(expect="reference")


@pytest.mark.parametrize("speech, reference", [
    ("P L R seven K three M, nine Q X D.", "PLR-7K3M-9QXD"),
    ("PLR 7K3M 9QXD.", "PLR-7K3M-9QXD"),
    ("p l r 7 k 3 m 9 q x d", "PLR-7K3M-9QXD"),
    ("My reference is PLR-7K3M-9QXD.", "PLR-7K3M-9QXD"),
    ("Papa Lima Romeo seven kilo three Mike nine Quebec X-ray Delta.", "PLR-7K3M-9QXD"),
    ("P L R double seven K M, nine Q X D", "PLR-77KM-9QXD"),
    ("P L R for K three M nine Q X D", "PLR-4K3M-9QXD"),  # "four" written as "for"
    ("P L R, C R H H, S D Z X.", "PLR-CRHH-SDZX"),
])
def test_spoken_request_references(speech, reference):
    assert read_caller_input(speech, None, REFERENCE_QUESTION).text == reference


@pytest.mark.parametrize("speech", ["I've lost it", "P L R seven K three", "P L R seven K three M nine Q X D E"])
def test_what_is_not_a_whole_reference_passes_unchanged(speech):
    assert read_caller_input(speech, None, REFERENCE_QUESTION).text == speech

"""Voice text to `<Say>`: the allowed SSML is spoken, anything else is only words."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.voice_response import Say

from channels.voice_speech import fill_say, plain_words, speakable, ssml_pieces, ssml_tags_ok


def said(text: str) -> ET.Element:
    return ET.fromstring(fill_say(Say(voice="Polly.Amy-Neural", language="en-GB"), text).to_xml(False))


def test_say_as_is_spoken_not_escaped():
    say = said('Your ULN ends in <say-as interpret-as="digits">632</say-as>. Is that right?')
    assert say.text == "Your ULN ends in "
    (element,) = list(say)
    assert element.tag == "say-as" and element.get("interpret-as") == "digits" and element.text == "632"
    assert element.tail == ". Is that right?"


def test_references_and_postcodes_are_read_in_their_groups():
    say = said('Your reference is <say-as interpret-as="characters">PLR-7K3M-9QXD</say-as>.')
    assert [(e.tag, e.text) for e in say] == [
        ("say-as", "PLR"), ("break", None), ("say-as", "7K3M"), ("break", None), ("say-as", "9QXD")]
    assert [e.get("time") for e in say if e.tag == "break"] == ["300ms", "300ms"]
    pieces = ssml_pieces('<say-as interpret-as="characters">SW1A 1AA</say-as>')
    assert [p[2] for p in pieces if p[0] == "say-as"] == ["SW1A", "1AA"]


def test_telephone_numbers_stay_whole():
    say = said('Call <say-as interpret-as="telephone">0345 602 2589</say-as>.')
    assert [e.text for e in say] == ["0345 602 2589"]


def test_sub_and_break_pass_through():
    say = said('Email <sub alias="L R S dot support">LRS.Support@education.gov.uk</sub><break time="500ms"/>now')
    assert [(e.tag, dict(e.attrib)) for e in say] == [("sub", {"alias": "L R S dot support"}),
                                                      ("break", {"time": "500ms"})]


@pytest.mark.parametrize("text", [
    '<audio src="http://example.com/x.mp3"/>Hello',
    '<say-as interpret-as="expletive">word</say-as>',
    '<prosody rate="x-fast">Hello</prosody>',
    '<speak>Hello</speak>',
    'Jane <script>alert(1)</script> Smith',
])
def test_other_markup_is_dropped_and_its_words_kept(text):
    xml = fill_say(Say(), text).to_xml(False)
    assert "<audio" not in xml and "expletive" not in xml and "<prosody" not in xml and "<script" not in xml
    assert not ssml_tags_ok(text)


def test_a_slot_value_cannot_inject_markup():
    # Rasa fills slots before the channel sees the text: "&" and "<" from a value stay words.
    xml = fill_say(Say(), "Name: O'Brien & <b>Co</b>. Right?").to_xml(False)
    assert "&amp;" in xml and "<b>" not in xml and "O'Brien" in xml


def test_screen_text_is_made_speakable():
    text = ("Here is what you told me:\n- Name: **Jane**\n- ULN: *******632\nSee [the page](https://gov.uk/x) "
            "or https://example.org now \U0001F600")
    assert speakable(text) == "Here is what you told me: Name: Jane. ULN: 632. See the page or now"


def test_plain_words_read_aliases():
    assert plain_words('Email <sub alias="info at S F A">info@sfa.bis.gov.uk</sub>.') == "Email info at S F A."


def test_a_question_read_into_a_sentence_keeps_one_mark():
    assert speakable("Did you mean Am I talking to a computer?? Say yes.") == (
        "Did you mean Am I talking to a computer? Say yes.")
    assert speakable("Did you mean What is a PLR?, or Who can see it?") == (
        "Did you mean What is a PLR? or Who can see it?")

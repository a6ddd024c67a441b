"""The channel's decisions without a server: configuration, what each bot message becomes on
the phone, and the TwiML for a turn. Never an empty `<Response/>`, never an exception."""
from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import pytest
from rasa.shared.exceptions import InvalidConfigException

from channels.twilio_voice import (
    PLRTwilioVoiceInput,
    VoiceCollectingOutputChannel,
    parse_form,
    public_webhook_url,
    to_utterance,
)
from channels.voice_directives import VoiceDirective
from channels.voice_twiml import Utterance

TOKEN = "synthetic-auth-token-0123456789"


def channel(**credentials) -> PLRTwilioVoiceInput:
    return PLRTwilioVoiceInput.from_credentials({"auth_token": TOKEN, "dial_number": "+443456022589",
                                                 "helpdesk_phone": "0345 602 2589", **credentials})


def turns(chan: PLRTwilioVoiceInput):
    from channels.voice_twiml import TurnBuilder

    return TurnBuilder(chan.settings, lambda **p: "webhook?" + "&".join(f"{k}={v}" for k, v in p.items()))


def xml(response) -> ET.Element:
    root = ET.fromstring(str(response))
    assert len(root) > 0, "never an empty <Response/>"
    return root


@pytest.mark.parametrize("credentials, message", [
    ({"auth_token": ""}, "TWILIO_AUTH_TOKEN"),
    ({"auth_token": "__secret__"}, "TWILIO_AUTH_TOKEN"),
    ({"dial_number": "0345 602 2589"}, "E.164"),
    ({"language": "english"}, "en-GB"),
    ({"assistant_voice": "robot"}, "assistant_voice"),
    ({"public_url": "plr.example.org"}, "http"),
    ({"min_confidence": "high"}, "min_confidence"),
])
def test_bad_configuration_stops_the_server_with_a_reason(credentials, message):
    with pytest.raises(InvalidConfigException, match=message):
        channel(**credentials)


def test_defaults_are_british():
    chan = channel()
    assert chan.name() == "twilio_voice" and chan.settings.voice == "Polly.Amy-Neural"
    assert chan.settings.language == "en-GB" and chan.initial_prompt == "/greet"
    assert chan.public_url is None and channel(dial_number="").settings.dial_number is None


@pytest.mark.parametrize("value, url", [
    ("", None),
    ("https://plr.example.org", "https://plr.example.org/webhooks/twilio_voice/webhook"),
    ("https://plr.example.org/assistant/", "https://plr.example.org/assistant/webhooks/twilio_voice/webhook"),
    ("https://plr.example.org/webhooks/twilio_voice/webhook", "https://plr.example.org/webhooks/twilio_voice/webhook"),
])
def test_public_url_may_be_the_base_or_the_webhook(value, url):
    assert public_webhook_url(value) == url


def test_form_fields_keep_blank_values_and_repeats():
    # Twilio signs every field it sends, blank ones included.
    form = parse_form(b"CallSid=CA1&SpeechResult=&Digits=1&Digits=2&Caller=%2B447700900123")
    assert form.first("SpeechResult") == "" and form.getlist("Digits") == ["1", "2"]
    assert form.first("Caller") == "+447700900123" and form.first("Missing") is None


@pytest.mark.parametrize("message", [
    {"text": "Hi", "custom": {"data": [1, 2]}},
    {"text": "Hi", "custom": ["not", "a", "mapping"]},
    {"text": "Hi", "custom": {"voice": {"keys": "1=yes", "then": 7, "num_digits": "ten"}}},
    {"custom": {"voice": {"then": "hangup"}}},
    {"image": "https://example.org/x.png"},
    {"text": None, "buttons": [{"title": "No payload"}]},
    {"attachment": {"type": "file"}},
    {"text": "Pick one", "buttons": ["not", "a", "button"]},
    {"text": 42, "buttons": {"title": "x"}},
])
def test_any_bot_message_becomes_something_speakable_without_raising(message):
    collector = VoiceCollectingOutputChannel()
    asyncio.new_event_loop().run_until_complete(collector.send_response("CA1", dict(message)))
    assert len(collector.utterances) == 1


def test_buttons_without_a_voice_variation_become_a_spoken_menu():
    utterance = to_utterance({"text": "Shall we start?", "buttons": [{"title": "Yes, start", "payload": "/affirm"},
                                                                     {"title": "No, not now", "payload": "/deny"}]})
    assert utterance.text == "Shall we start? Or press 1 for Yes, start, press 2 for No, not now."
    assert utterance.directive.keys == {"1": "/affirm", "2": "/deny"}


def test_a_voice_variation_keeps_its_words_and_takes_its_keys_from_the_buttons():
    utterance = to_utterance({"text": "Shall we start? Say yes or no, or press 1 or 2.",
                              "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
                              "custom": {"voice": {"num_digits": 1}}, "utter_action": "utter_request_consent"})
    assert utterance.text == "Shall we start? Say yes or no, or press 1 or 2."
    assert utterance.directive == VoiceDirective(keys={"1": "/affirm", "2": "/deny"}, num_digits=1)


def test_a_turn_with_nothing_to_say_still_speaks_and_listens():
    chan = channel()
    previous = ([Utterance("What is your first name?", asks=True)], None)
    root = xml(chan.respond(turns(chan), [Utterance("")], 0, previous))
    gather = root.find("Gather")
    assert gather is not None and gather.get("action") == "webhook?turn=gather&misses=1"
    assert "".join(gather.itertext()) == "Sorry, could you say that again?What is your first name?"


def test_transfer_and_hangup_directives_end_the_turn():
    chan = channel()
    said = [Utterance("I can't accept that.", VoiceDirective(then="transfer")), Utterance("What is your postcode?")]
    root = xml(chan.respond(turns(chan), said, 0, ([], None)))
    assert [e.tag for e in root] == ["Say", "Dial"] and root.find("Dial").text == "+443456022589"
    root = xml(chan.respond(turns(chan), [Utterance("Goodbye.", VoiceDirective(then="hangup"))], 0, ([], None)))
    assert [e.tag for e in root] == ["Say", "Hangup"]


def test_without_a_dial_number_a_transfer_tells_the_number_and_ends():
    chan = channel(dial_number="")
    root = xml(chan.respond(turns(chan), [Utterance("Putting you through.", VoiceDirective(then="transfer"))], 0,
                            ([], None)))
    assert [e.tag for e in root] == ["Say", "Say", "Hangup"]
    assert root[1].find("say-as").text == "0345 602 2589"


def test_misses_repeat_then_offer_the_keypad_then_transfer():
    chan = channel()
    question = Utterance("What is your date of birth?", VoiceDirective(num_digits=8, keypad="Key in 8 digits."),
                         asks=True)
    previous = ([question], question.directive)
    first = xml(chan.missed(turns(chan), previous, 1)).find("Gather")
    assert "".join(first.itertext()) == "Sorry, I did not catch that.What is your date of birth?"
    assert first.get("numDigits") == "8"
    second = xml(chan.missed(turns(chan), previous, 2)).find("Gather")
    assert "Key in 8 digits." in "".join(second.itertext()) and "keypad" in "".join(second.itertext())
    assert xml(chan.missed(turns(chan), previous, 3)).find("Dial") is not None


def test_answers_that_ask_nothing_are_followed_by_a_question():
    chan = channel()
    root = xml(chan.respond(turns(chan), [Utterance("A ULN has 10 digits.")], 0, ([], None)))
    assert "".join(root.find("Gather").itertext()).endswith("Is there anything else I can help with?")
    # ... and silence after such an answer asks that question, not the answer again.
    again = xml(chan.missed(turns(chan), ([Utterance("A ULN has 10 digits.")], None), 1))
    assert "".join(again.itertext()) == "Sorry, I did not catch that.Is there anything else I can help with?"

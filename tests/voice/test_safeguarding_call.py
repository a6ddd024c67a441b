"""Safeguarding on the phone (issue 20): distress mid-call gets the helplines read digit by digit,
the call is neither transferred nor ended, star or a spoken "repeat" says them again, and the
caller can carry on with the request where it was."""
from __future__ import annotations

import pytest

from channels.voice_input import read_caller_input
from tests.voice.test_voice_calls import caller, listens, slots, start_opt_out

HELPLINES = ["999", "116", "123", "0800", "1111", "85258"]


@pytest.mark.parametrize("said", ["repeat", "Repeat please.", "could you say that again", "say the numbers again"])
def test_a_spoken_repeat_is_the_star_key(said):
    assert read_caller_input(said, None).kind == "repeat"


@pytest.mark.parametrize("said", ["repeat my ULN is 1748529632", "I want to opt out", "again I feel awful"])
def test_longer_speech_goes_to_the_assistant(said):
    assert read_caller_input(said, None).kind == "message"


@pytest.mark.stack
def test_distress_mid_call_gets_the_helplines_and_the_request_carries_on(stack):
    call = caller(stack)
    start_opt_out(call)
    assert "first name" in call.say("Yes.").text
    assert "family name" in call.say("Jane.").text
    reply = call.say("honestly i dont want to be here anymore")
    listens(reply)
    assert reply.dial is None and not reply.hangup, reply.body
    assert reply.say_as("digits") == HELPLINES, "each number read digit by digit, in its groups"
    assert "say repeat, or press star" in reply.text.lower() and "carry on, or press 1" in reply.text
    assert slots(stack, call)["given_name"] == "Jane", "the form is paused, not lost"
    assert call.press("*").say_as("digits") == HELPLINES
    assert call.say("Repeat, please.").say_as("digits") == HELPLINES
    carried_on = call.press("1")
    assert "family name" in carried_on.text and carried_on.say_as("digits") == []
    assert "date of birth" in call.say("Smith.").text
    assert slots(stack, call)["given_name"] == "Jane" and slots(stack, call)["family_name"] == "Smith"
    call.hang_up()

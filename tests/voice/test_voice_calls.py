"""Phone calls end to end: Twilio-shaped, signed requests to the running Rasa server (the
project's credentials.yml, so channels.twilio_voice.PLRTwilioVoiceInput), the action server and
the backend, with assertions on the TwiML Twilio would receive."""
from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from channels.voice_prompts import WELSH_OFFER
from tests.chat import tracker
from tests.voice.twilio_calls import Caller, new_call_sid

pytestmark = pytest.mark.stack
REFERENCE = re.compile(r"PLR-[A-Z0-9]{4}-[A-Z0-9]{4}")
VOICE = "Polly.Amy-Neural"


def caller(stack, **kwargs) -> Caller:
    return Caller(stack.config.rasa_url, stack.env, **kwargs)


def staff_requests(stack):
    request = urllib.request.Request(f"{stack.config.backend_url}/v1/requests?limit=100",
                                     headers={"Authorization": f"Bearer {stack.env['STAFF_API_KEY']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["items"]


def slots(stack, call: Caller):
    return tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], call.call_sid)["slots"]


def user_turns(stack, call: Caller):
    events = tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], call.call_sid)["events"] or []
    return [e for e in events if e["event"] == "user"]


def listens(reply, first_turn: bool = False, **attributes) -> None:
    gather = reply.gather
    assert gather is not None, reply.body
    assert gather.get("input") in ("speech dtmf", "dtmf speech") and gather.get("language") == "en-GB"
    assert gather.get("actionOnEmptyResult") == "true"
    for name, value in attributes.items():
        assert gather.get(name) == value, (name, gather.attrib)
    says = reply.says
    if first_turn:
        # A new call first offers Welsh, in the Welsh voice (tests/voice/test_welsh_calls.py).
        offer = says.pop(0)
        assert (offer.get("voice"), offer.get("language"), offer.text) == ("Polly.Gwyneth", "cy-GB", WELSH_OFFER)
    assert all(say.get("voice") == VOICE and say.get("language") == "en-GB" for say in says)


def start_opt_out(call: Caller):
    reply = call.ring()
    listens(reply, first_turn=True)
    assert "Learning Records Service" in reply.text and "press 0" in reply.text.lower()
    reply = call.say("I want to opt out of sharing my record.")
    listens(reply, numDigits="1")
    assert "LRS team" in reply.text and "press 1 or 2" in reply.text.lower()
    return reply


def test_a_full_opt_out_by_speech_reaches_the_backend_and_ends_clean(stack):
    call = caller(stack)
    start_opt_out(call)
    assert "first name" in call.say("Yes.").text
    assert "family name" in call.say("Jane.").text
    reply = call.say("Smith.")
    assert "date of birth" in reply.text and "hash" in reply.text
    listens(reply, numDigits="8", finishOnKey="#")
    assert "postcode" in call.say("Twenty-first of June two thousand and two.").text
    assert "different family name" in call.say("S W 1 A 1 A A.").text
    assert "ULN" in call.say("No.").text
    reply = call.say("Yes.")
    listens(reply, numDigits="10", finishOnKey="#")
    assert "key it in" in reply.text
    assert "email" in call.say("One seven four eight five two nine six three two.").text
    review = call.say("No.")
    assert "Here is what you told me" in review.text and "Jane Smith" in review.text
    assert "21 June 2002" in review.text
    assert review.say_as("digits") == ["632"], "only the ULN's last digits, digit by digit"
    assert review.say_as("characters") == ["SW1A", "1AA"]
    assert "1748529632" not in review.body and "*" not in review.text
    listens(review, numDigits="1")

    done = call.say("Yes, that's right.")
    spelled = done.say_as("characters")
    assert len(spelled) == 6, done.body  # said twice, in its three groups
    reference = "-".join(spelled[:3])
    assert REFERENCE.fullmatch(reference) and spelled[3:] == spelled[:3]
    assert "opted out" not in done.text.lower()

    stored = [r for r in staff_requests(stack) if r["conversation_id"] == call.call_sid]
    assert len(stored) == 1 and stored[0]["reference"] == reference
    expected = {"type": "opt_out", "given_name": "Jane", "family_name": "Smith", "date_of_birth": "2002-06-21",
                "postcode": "SW1A 1AA", "uln": "1748529632", "channel": "voice", "status": "received"}
    assert {key: stored[0][key] for key in expected} == expected
    assert call.number not in json.dumps(stored[0]), "the caller's number is not stored"

    goodbye = call.say("That's all, goodbye.")
    assert goodbye.hangup and goodbye.gather is None and "Goodbye" in goodbye.text
    assert call.hang_up().hangup
    after = slots(stack, call)
    assert all(after[name] is None for name in ("given_name", "family_name", "date_of_birth", "postcode", "uln",
                                                 "request_type", "request_key"))


def test_uln_and_date_of_birth_keyed_in(stack):
    call = caller(stack)
    start_opt_out(call)
    assert "first name" in call.press("1").text
    call.say("Priya.")
    call.say("Shah.")
    assert "postcode" in call.press("03042001").text
    assert "different family name" in call.say("C F ten three A T.").text
    assert "ULN" in call.press("2").text
    reply = call.press("1")
    listens(reply, numDigits="10", finishOnKey="#")
    reply = call.press("1000000043")
    assert "email" in reply.text and "press 2" in reply.text
    review = call.press("2")
    assert "Priya Shah" in review.text and "3 April 2001" in review.text
    assert review.say_as("digits") == ["043"] and review.say_as("characters") == ["CF10", "3AT"]
    done = call.press("1")
    reference = "-".join(done.say_as("characters")[:3])
    stored = [r for r in staff_requests(stack) if r["conversation_id"] == call.call_sid]
    assert [(r["reference"], r["uln"], r["date_of_birth"], r["postcode"], r["channel"]) for r in stored] == [
        (reference, "1000000043", "2001-04-03", "CF10 3AT", "voice")]
    # The caller checks it straight away, spelling the reference out and keying the date.
    assert "reference" in call.say("Can I check my request?").text
    spelled = " ".join(reference.replace("-", ""))  # "P L R 7 K 3 M ..."
    assert "date of birth" in call.say(f"{spelled}.").text
    status = call.press("03042001")
    assert "has been received" in status.text and status.say_as("characters") == reference.split("-")
    call.hang_up()


def test_asking_for_an_adviser_transfers_the_call(stack):
    call = caller(stack)
    call.ring()
    reply = call.say("Adviser.")
    dial = reply.dial
    assert dial is not None and dial.text == stack.env["HELPDESK_DIAL_NUMBER"], reply.body
    assert reply.gather is None and "put you through" in reply.text
    # The helpdesk did not answer: the caller is told, and the assistant listens again.
    after = call.dial_ended("no-answer", urllib.parse.urljoin(call.webhook, dial.get("action")))
    listens(after)
    assert "no adviser could answer" in after.text and "0345 602 2589" in after.text
    # Pressing 0 in the middle of a request also reaches a person; a finished transfer hangs up.
    call.say("I'd like to opt out.")
    reply = call.press("0")
    assert reply.dial is not None and reply.dial.text == stack.env["HELPDESK_DIAL_NUMBER"]
    assert call.dial_ended("completed", urllib.parse.urljoin(call.webhook, reply.dial.get("action"))).hangup
    call.hang_up()


def test_repeated_failures_on_one_question_transfer_the_call(stack):
    call = caller(stack)
    start_opt_out(call)
    call.say("Yes.")
    call.say("Jane.")
    call.say("Smith.")
    call.say("the first of may two thousand")
    first = call.say("I don't know")
    assert "postcode" in first.text and first.gather is not None
    second = call.say("somewhere in London")
    assert second.gather is not None
    third = call.say("near the station")
    assert third.dial is not None and third.dial.text == stack.env["HELPDESK_DIAL_NUMBER"], third.body
    assert "adviser" in third.text and "postcode" in third.text
    call.hang_up()


def test_silence_twice_offers_the_keypad_then_a_person(stack):
    call = caller(stack)
    start_opt_out(call)
    call.say("yes")
    call.say("Jane")
    call.say("Smith")  # now the date of birth question
    first = call.silence()
    listens(first, numDigits="8", finishOnKey="#")
    assert first.text.startswith("Sorry, I did not catch that.") and "date of birth" in first.text
    second = call.silence()
    listens(second, numDigits="8", finishOnKey="#")
    assert "keypad" in second.text and "Key in your date of birth as 8 digits" in second.text
    assert "date of birth" in second.text
    third = call.silence()
    assert third.dial is not None and third.gather is None and "adviser" in third.text
    # An answer after a silence starts the count again.
    call2 = caller(stack)
    call2.ring()
    call2.silence()
    reply = call2.say("What is a ULN?")
    assert "10-digit" in reply.text and "misses=0" in reply.gather.get("action")
    # An answer that asks nothing is followed by a question, so the caller knows to speak;
    # silence after it asks that again rather than re-reading the answer.
    assert reply.text.endswith("Is there anything else I can help with?")
    quiet = call2.silence()
    assert quiet.text == "Sorry, I did not catch that. Is there anything else I can help with?"
    call.hang_up()
    call2.hang_up()


# Things no caller of the LRS line means anything by. Which of them the model falls back on
# depends on its training, so the test asks the running model and uses those.
NONSENSE = ["I like turtles.", "My car is blue.", "It's raining in the garden.", "Bicycle.", "Sausages and mash.",
            "Hmm, the fridge is humming.", "Blah blah blah.", "The cat sat on the mat.", "Purple elephants dance.",
            "My neighbour's dog barks at night.", "Tomatoes are a fruit.", "The bus was late again.",
            "I had toast for breakfast.", "Socks and sandals.", "Where did I put my keys?",
            # what a recogniser makes of mumbling; a model that reads whole sentences well places
            # most of the sentences above under out_of_scope or chitchat instead of falling back
            "Mmm.", "Erm.", "Grmbl.", "Wibble."]


def not_understood(stack, count: int):
    found = []
    for text in NONSENSE:
        request = urllib.request.Request(
            f"{stack.config.rasa_url}/model/parse?token={stack.env['RASA_API_TOKEN']}",
            data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            if json.loads(response.read())["intent"]["name"] == "nlu_fallback":
                found.append(text)
    assert len(found) >= count, f"the model understood nearly all of {NONSENSE}: only {found} fall back"
    return found[:count]


def test_star_repeats_and_unrecognised_speech_counts_like_silence(stack):
    first_miss, second_miss, third_miss = not_understood(stack, 3)
    call = caller(stack)
    greeting = call.ring()
    assert call.press("*").text == greeting.text
    first = call.say(first_miss)
    assert "not sure I understood" in first.text or "did not understand" in first.text, first.text
    assert "misses=1" in first.gather.get("action")
    second = call.say(second_miss)
    assert "press 1 to ask to stop sharing" in second.text, second.text
    consent = call.press("1")
    assert "Shall we start?" in consent.text and "press 1 or 2" in consent.text.lower()
    call.hang_up()
    # A third miss in a row puts the caller through to a person.
    lost = caller(stack)
    lost.ring()
    lost.say(first_miss)
    lost.say(second_miss)
    third = lost.say(third_miss)
    assert third.dial is not None and third.gather is None and "adviser" in third.text, third.body
    lost.hang_up()


def test_two_calls_from_one_number_share_nothing(stack):
    first = caller(stack, number="+447700900555")
    start_opt_out(first)
    first.say("Yes.")
    first.say("Priya.")
    assert "family name" in first.replies[-1].text
    second = caller(stack, number="+447700900555")
    assert second.call_sid != first.call_sid
    start_opt_out(second)
    reply = second.say("Yes.")
    assert "first name" in reply.text, "the second caller is asked from the start"
    assert slots(stack, second)["given_name"] is None
    assert slots(stack, first)["given_name"] == "Priya"
    first.hang_up()
    assert slots(stack, first)["given_name"] is None and slots(stack, first)["request_type"] is None
    assert "family name" in second.say("Tom.").text
    assert slots(stack, second)["given_name"] == "Tom"
    second.hang_up()


def test_forged_or_altered_requests_are_refused(stack):
    call = caller(stack)
    params = call.params("ringing")
    assert call.post(call.webhook, params, signature=None).status == 403
    assert call.post(call.webhook, params, signature="bm90IGEgc2lnbmF0dXJl").status == 403
    other = Caller(stack.config.rasa_url, {**stack.env, "TWILIO_AUTH_TOKEN": "synthetic-wrong-token"})
    assert call.post(call.webhook, params, other.validator.compute_signature(call.signed_url(call.webhook),
                                                                              params)).status == 403
    # Signed for one answer, sent with another: the body is part of the signature.
    good = call.validator.compute_signature(call.signed_url(call.webhook), params)
    altered = urllib.parse.urlencode({**params, "SpeechResult": "cancel"}).encode()
    assert call.post(call.webhook, params, good, body=altered).status == 403
    # Signed for another URL (the turn counter travels in the URL).
    url = call.webhook + "?turn=gather&misses=0"
    assert call.post(url, params, good).status == 403
    assert not user_turns(stack, call), "a refused request never reaches the assistant"
    # The genuine request gets through.
    assert call.post(call.webhook, params).status == 200


def test_requests_that_are_not_calls(stack):
    call = caller(stack, call_sid="not-a-call-sid")
    assert call.post(call.webhook, call.params("ringing")).status == 400
    # A status callback for a call that never spoke: nothing to clear, still valid TwiML.
    quiet = caller(stack)
    assert quiet.hang_up().hangup
    assert not user_turns(stack, quiet)
    assert new_call_sid() != new_call_sid()

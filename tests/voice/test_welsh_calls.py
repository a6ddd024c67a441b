"""The phone line in Welsh (issue 22, point 4), without a server: the channel's own turn logic
(`PLRTwilioVoiceInput.answer`) driven like Twilio would, against a scripted assistant that
answers the way the NLG does (Welsh messages carry `"language": "cy"`).

- A new call hears the Welsh offer first, in the Welsh voice; 9 sends /choose_welsh.
- Welsh messages are said with Polly.Gwyneth in cy-GB; English ones keep the English voice.
- Twilio cannot recognise Welsh speech, so a Welsh question is keypad-first (`dtmf speech`,
  en-GB) and keypad answers (yes/no keys, 8-digit dates, 10-digit ULNs) work as in English.
- The channel's own prompts (not heard, transfer, fault) are Welsh when the caller's are.
"""
from __future__ import annotations

import asyncio
import random
import shutil
import string
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Union

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import InvalidConfigException

from channels.twilio_voice import PLRTwilioVoiceInput, parse_form, to_utterance
from channels.voice_prompts import CHOOSE_WELSH, WELSH_OFFER, WelshVoicePrompts
from channels.voice_speech import plain_words
from channels.voice_twiml import TurnBuilder

TOKEN = "synthetic-auth-token-0123456789"
CALL_SID = "CA" + "0" * 31 + "1"
EN_VOICE, CY_VOICE = "Polly.Amy-Neural", "Polly.Gwyneth"

GREETING = {"text": "Hello, I'm the Learning Records Service computer assistant. Do you have a question or a "
                    "request? Press 0 for a person.",
            "buttons": [{"title": "Ask a question", "payload": "/help"},
                        {"title": "Ask to stop sharing my PLR", "payload": "/request_opt_out"}],
            "custom": {"voice": {"keypad": "Press 1 to ask a question, 2 to ask us to stop sharing your record."}},
            "utter_action": "utter_greet"}
WELSH_CHOSEN = {"text": "Iawn, fe wna i barhau yn Gymraeg. Pwyswch 1 am gwestiwn, neu 2 i ofyn am beidio â rhannu "
                        "eich cofnod.",
                "buttons": [{"title": "Gofyn cwestiwn", "payload": "/help"},
                            {"title": "Gofyn am beidio â rhannu fy nghofnod", "payload": "/request_opt_out"}],
                "custom": {"voice": {}}, "language": "cy", "utter_action": "utter_language_cy"}
WELSH_CONSENT = {"text": "Gawn ni ddechrau? Pwyswch 1 am ie, neu 2 am na.",
                 "buttons": [{"title": "Ie", "payload": "/affirm"}, {"title": "Na", "payload": "/deny"}],
                 "custom": {"voice": {"input": "dtmf", "num_digits": 1, "hints": "ie, na"}}, "language": "cy",
                 "utter_action": "utter_request_consent"}
WELSH_DOB = {"text": "Beth yw eich dyddiad geni? Rhowch 8 digid, diwrnod, mis a blwyddyn, yna pwyswch hash.",
             "custom": {"voice": {"num_digits": 8, "finish_on_key": "#", "expect": "date",
                                  "keypad": "Rhowch eich dyddiad geni fel 8 digid."}},
             "language": "cy", "utter_action": "utter_ask_date_of_birth"}
WELSH_ULN = {"text": "Rhowch eich Rhif Unigryw'r Dysgwr, 10 digid, yna pwyswch hash.",
             "custom": {"voice": {"num_digits": 10, "finish_on_key": "#", "expect": "uln"}},
             "language": "cy", "utter_action": "utter_ask_uln"}
WELSH_THANKS = {"text": "Diolch.", "language": "cy"}
WELSH_HANDOFF = {"text": "Fe wna i eich rhoi drwodd nawr.", "custom": {"voice": {"then": "transfer"}},
                 "language": "cy"}

Reply = Union[Dict[str, Any], List[Dict[str, Any]]]


@dataclass
class Assistant:
    """Answers each message from a script, keeping the events a tracker store would."""

    script: Dict[str, Reply]
    heard: List[str] = field(default_factory=list)
    events: List[Any] = field(default_factory=list)
    fail_on: Optional[str] = None

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message.text)
        if message.text == self.fail_on:
            raise RuntimeError("the action server is down")
        self.events.append(UserUttered(message.text))
        reply = self.script.get(message.text, [])
        for item in reply if isinstance(reply, list) else [reply]:
            await message.output_channel.send_response(message.sender_id, dict(item))
            data = {k: item.get(k) for k in ("buttons", "custom")}
            metadata = {k: v for k, v in item.items() if k not in ("text", "buttons", "custom")}
            self.events.append(BotUttered(item.get("text"), data=data, metadata=metadata))

    async def retrieve(self, sender_id: str) -> Any:
        return SimpleNamespace(events=list(self.events)) if self.events else None


class TwiML:
    def __init__(self, body: str) -> None:
        self.root = ET.fromstring(body)
        assert len(self.root) > 0, "never an empty <Response/>"

    @property
    def gather(self) -> Optional[ET.Element]:
        return self.root.find("Gather")

    @property
    def says(self) -> List[ET.Element]:
        return list(self.root.iter("Say"))

    def voices(self) -> List[tuple]:
        return [(say.get("voice"), say.get("language"), " ".join("".join(say.itertext()).split()))
                for say in self.says]

    @property
    def text(self) -> str:
        return " ".join(v[2] for v in self.voices())

    def action(self, element: str = "Gather") -> Dict[str, str]:
        found = self.root.find(element)
        assert found is not None, ET.tostring(self.root)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(found.get("action")).query))


class Call:
    """Twilio's side of one call: each request carries the query of the last action URL."""

    def __init__(self, chan: PLRTwilioVoiceInput, assistant: Assistant) -> None:
        self.chan, self.assistant = chan, assistant
        self.args: Dict[str, str] = {}
        # A number of its own: the channel limits new calls per number (channels/abuse.py).
        self.number = "+4477009" + "".join(random.choices(string.digits, k=5))

    def post(self, args: Dict[str, str], **fields: str) -> TwiML:
        request = SimpleNamespace(args=args, app=SimpleNamespace(ctx=SimpleNamespace(
            agent=SimpleNamespace(tracker_store=self.assistant))))
        body = urllib.parse.urlencode({"CallSid": CALL_SID, "From": self.number, **fields}).encode()
        twiml = TwiML(asyncio.new_event_loop().run_until_complete(
            self.chan.answer(request, parse_form(body), CALL_SID, self.assistant)))
        if twiml.gather is not None:
            self.args = twiml.action()
        return twiml

    def ring(self) -> TwiML:
        return self.post({}, CallStatus="ringing")

    def press(self, digits: str) -> TwiML:
        return self.post(self.args, CallStatus="in-progress", Digits=digits)

    def say(self, speech: str) -> TwiML:
        return self.post(self.args, CallStatus="in-progress", SpeechResult=speech, Confidence="0.9")

    def silence(self) -> TwiML:
        return self.post(self.args, CallStatus="in-progress")


def channel(**credentials: str) -> PLRTwilioVoiceInput:
    return PLRTwilioVoiceInput.from_credentials({"auth_token": TOKEN, "dial_number": "+443456022589",
                                                 "helpdesk_phone": "0345 602 2589", **credentials})


def call(script: Dict[str, Reply], **credentials: str) -> Call:
    return Call(channel(**credentials), Assistant({"/greet": GREETING, **script}))


def welsh_call(question: Dict[str, Any], answers: Optional[Dict[str, Reply]] = None) -> Call:
    """A call that chose Welsh with 9 and is now asked `question`."""
    phone = call({CHOOSE_WELSH: WELSH_CHOSEN, "/request_opt_out": question, **(answers or {})})
    phone.ring()
    phone.press("9")
    phone.press("2")
    return phone


# --- configuration ---------------------------------------------------------------------------

def test_welsh_defaults_are_pollys_welsh_voice_and_keypad_first():
    settings = channel().settings
    assert (settings.welsh_voice, settings.welsh_language, settings.welsh_speech_language) == (
        "Polly.Gwyneth", "cy-GB", None)
    assert settings.keypad_first("cy") and not settings.keypad_first("en")
    assert settings.gather_language_for("cy") == "en-GB"


@pytest.mark.parametrize("credentials, message", [
    ({"welsh_voice": "Polly.Gwyneth-Neural"}, "welsh_voice"),
    ({"welsh_language": "welsh"}, "welsh_language"),
    ({"welsh_speech_language": "cymraeg"}, "welsh_speech_language"),
])
def test_bad_welsh_settings_stop_the_server_with_a_reason(credentials, message):
    with pytest.raises(InvalidConfigException, match=message):
        channel(**credentials)


# --- the first turn: the Welsh offer ---------------------------------------------------------

def test_a_new_call_offers_welsh_first_in_the_welsh_voice():
    reply = call({}).ring()
    said = reply.voices()
    assert said[0] == (CY_VOICE, "cy-GB", WELSH_OFFER) == (CY_VOICE, "cy-GB", "I barhau yn Gymraeg, pwyswch 9.")
    assert all(v[:2] == (EN_VOICE, "en-GB") for v in said[1:]) and "Learning Records Service" in said[1][2]
    gather = reply.gather
    assert gather.get("language") == "en-GB" and gather.get("input") == "speech dtmf"
    assert reply.action() == {"turn": "gather", "misses": "0", "offer": "cy"}


def test_key_9_on_the_first_turn_switches_the_call_to_welsh():
    phone = call({CHOOSE_WELSH: WELSH_CHOSEN})
    phone.ring()
    reply = phone.press("9")
    assert phone.assistant.heard == ["/greet", "/choose_welsh"]
    assert reply.voices() == [(CY_VOICE, "cy-GB", WELSH_CHOSEN["text"])]
    assert reply.gather.get("input") == "dtmf speech" and reply.gather.get("language") == "en-GB"
    assert reply.action() == {"turn": "gather", "misses": "0", "lang": "cy"}, "the offer is over; Welsh goes on"
    assert WELSH_OFFER not in reply.text


def test_the_offer_is_made_again_after_a_silence_or_a_repeat_but_not_after_an_answer():
    phone = call({CHOOSE_WELSH: WELSH_CHOSEN, "/help": {"text": "Ask me anything. What would you like to know?"}})
    greeting = phone.ring()
    assert phone.press("*").text == greeting.text
    quiet = phone.silence()
    assert quiet.voices()[0][0] == CY_VOICE and quiet.action()["offer"] == "cy"
    assert "did not catch that" in quiet.text and "Learning Records Service" in quiet.text
    answered = phone.press("1")
    assert phone.assistant.heard[-1] == "/help" and "offer" not in answered.action()
    assert all(say.get("voice") == EN_VOICE for say in answered.says)
    phone.press("9")
    assert phone.assistant.heard[-1] == "9", "9 is only the Welsh key on the greeting"


def test_nine_said_on_the_first_turn_also_chooses_welsh():
    phone = call({CHOOSE_WELSH: WELSH_CHOSEN})
    phone.ring()
    phone.say("nine")
    assert phone.assistant.heard[-1] == CHOOSE_WELSH


# --- Welsh and English voices ----------------------------------------------------------------

def test_each_message_is_said_in_its_own_languages_voice():
    chan = channel()
    turns = TurnBuilder(chan.settings, lambda **p: "webhook?" + urllib.parse.urlencode(p))
    english = to_utterance({"text": "Your ULN has 10 digits."})
    welsh = to_utterance({"text": "Mae gan eich ULN 10 digid. Oes gennych chi gwestiwn arall?", "language": "cy"})
    assert (english.language, welsh.language) == ("en", "cy")
    reply = TwiML(str(chan.respond(turns, [english, welsh], 0, ([], None))))
    assert [v[:2] for v in reply.voices()] == [(EN_VOICE, "en-GB"), (CY_VOICE, "cy-GB")]
    # The question was Welsh: the gather listens keypad-first, and the next turn knows it.
    assert reply.gather.get("input") == "dtmf speech" and reply.action()["lang"] == "cy"


def test_an_english_message_later_in_a_welsh_call_keeps_the_english_voice():
    phone = welsh_call(WELSH_CONSENT, {"/affirm": [{"text": "OK."}, {"text": "What is your first name?"}]})
    reply = phone.press("1")
    assert [v[:2] for v in reply.voices()] == [(EN_VOICE, "en-GB")] * 2
    assert reply.gather.get("input") == "speech dtmf" and "lang" not in reply.action()


def test_a_welsh_reply_with_buttons_and_no_voice_variation_reads_them_as_a_welsh_menu():
    buttons = [{"title": "Ydy", "payload": "/affirm"}, {"title": "Nac ydy", "payload": "/deny"}]
    utterance = to_utterance({"text": "Ydy hynny'n gywir?", "language": "cy", "buttons": buttons})
    assert utterance.text == "Ydy hynny'n gywir? Neu pwyswch 1 ar gyfer Ydy, pwyswch 2 ar gyfer Nac ydy."
    assert utterance.directive.keys == {"1": "/affirm", "2": "/deny"} and utterance.language == "cy"


# --- keypad answers in Welsh -----------------------------------------------------------------

def test_a_welsh_yes_no_question_takes_keypad_digits():
    phone = welsh_call(WELSH_CONSENT, {"/affirm": WELSH_DOB, "/deny": WELSH_THANKS})
    asked = phone.press("*")  # the question welsh_call reached, again
    assert asked.voices() == [(CY_VOICE, "cy-GB", WELSH_CONSENT["text"])]
    gather = asked.gather
    assert (gather.get("input"), gather.get("language"), gather.get("numDigits")) == ("dtmf", "en-GB", "1")
    reply = phone.press("1")
    assert phone.assistant.heard[-1] == "/affirm" and reply.voices()[0][0] == CY_VOICE


def test_english_yes_and_adviser_still_work_on_a_welsh_question():
    phone = welsh_call(WELSH_CONSENT, {"/affirm": WELSH_DOB, "/human_handoff": WELSH_HANDOFF})
    phone.say("yes")
    assert phone.assistant.heard[-1] == "yes", "speech in en-GB goes to the assistant as heard"
    transfer = phone.say("adviser")
    assert phone.assistant.heard[-1] == "/human_handoff" and transfer.root.find("Dial") is not None
    assert transfer.voices() == [(CY_VOICE, "cy-GB", WELSH_HANDOFF["text"])]


def test_a_welsh_date_of_birth_and_uln_keyed_in():
    phone = welsh_call(WELSH_CONSENT, {"/affirm": WELSH_DOB, "03/04/2001": WELSH_ULN, "1748529632": WELSH_THANKS})
    asked = phone.press("1")
    gather = asked.gather
    assert (gather.get("numDigits"), gather.get("finishOnKey"), gather.get("input")) == ("8", "#", "dtmf speech")
    uln = phone.press("03042001")
    assert phone.assistant.heard[-1] == "03/04/2001", "8 digits, day month year, as in English"
    assert uln.gather.get("numDigits") == "10" and uln.action()["lang"] == "cy"
    phone.press("1748529632")
    assert phone.assistant.heard[-1] == "1748529632"


# --- the channel's own prompts in Welsh ------------------------------------------------------

def test_silence_on_a_welsh_question_offers_the_keypad_at_once_in_welsh():
    phone = welsh_call(WELSH_DOB)
    welsh = WelshVoicePrompts()
    first = phone.silence()
    assert first.voices() == [(CY_VOICE, "cy-GB", welsh.not_heard),
                              (CY_VOICE, "cy-GB", "Rhowch eich dyddiad geni fel 8 digid."),
                              (CY_VOICE, "cy-GB", WELSH_DOB["text"])]
    assert first.action() == {"turn": "gather", "misses": "1", "lang": "cy"}
    second = phone.silence()
    assert second.voices()[0][2] == welsh.keypad_offer
    third = phone.silence()
    assert third.root.find("Dial") is not None and third.voices() == [(CY_VOICE, "cy-GB", welsh.transfer_after_misses)]
    assert third.action("Dial") == {"turn": "dial", "lang": "cy"}


def test_after_a_failed_transfer_a_welsh_caller_is_told_in_welsh():
    phone = welsh_call(WELSH_CONSENT, {"/human_handoff": WELSH_HANDOFF})
    transfer = phone.press("0")
    assert transfer.voices()[0] == (CY_VOICE, "cy-GB", WELSH_HANDOFF["text"])
    after = phone.post(transfer.action("Dial"), CallStatus="in-progress", DialCallStatus="no-answer")
    assert after.voices()[0][:2] == (CY_VOICE, "cy-GB") and after.text.startswith("Mae'n ddrwg gen i, doedd dim")
    digits = [e.text for e in after.root.iter("say-as") if e.get("interpret-as") == "digits"]
    assert digits == ["0345", "602", "2589"] and after.action()["lang"] == "cy", "the number, group by group"
    done = phone.post(transfer.action("Dial"), CallStatus="in-progress", DialCallStatus="completed")
    assert done.voices() == [(CY_VOICE, "cy-GB", WelshVoicePrompts().dial_done)]


def test_a_failed_turn_in_a_welsh_call_apologises_in_welsh():
    phone = welsh_call(WELSH_CONSENT)
    phone.assistant.fail_on = "/affirm"
    reply = phone.press("1")
    assert reply.voices()[0] == (CY_VOICE, "cy-GB", WelshVoicePrompts().fault)
    assert reply.root.find("Dial") is not None


def test_an_answer_that_asks_nothing_is_followed_by_a_welsh_question():
    phone = welsh_call(WELSH_CONSENT, {"/deny": WELSH_THANKS})
    reply = phone.press("2")
    assert reply.voices() == [(CY_VOICE, "cy-GB", "Diolch."),
                              (CY_VOICE, "cy-GB", WelshVoicePrompts().anything_else)]


def test_welsh_speech_recognition_when_twilio_offers_it():
    phone = Call(channel(welsh_speech_language="cy-GB"),
                 Assistant({"/greet": GREETING, CHOOSE_WELSH: WELSH_CHOSEN, "/request_opt_out": WELSH_DOB}))
    phone.ring()
    chosen = phone.press("9")
    assert chosen.gather.get("language") == "cy-GB" and chosen.gather.get("input") == "speech dtmf"
    phone.press("2")
    first = phone.silence()
    assert len(first.says) == 2, "no early keypad offer when Welsh can be spoken"


# --- Welsh spelling --------------------------------------------------------------------------

# Standard Welsh that Debian's aspell-cy 0.50 word list lacks (as in tests/unit/test_welsh_nlu_data.py).
ALLOW_MISSING_FROM_ASPELL_CY = {"gymraeg", "drwodd", "ffonio", "ffoniwch", "cynghorydd", "gynghorydd",
                                "bysellbad"}  # bysellbad: keypad (Termiadur Addysg)
ALLOW_ACRONYMS = {"lrs", "plr", "uln"}


def welsh_texts() -> List[str]:
    prompts = WelshVoicePrompts()
    texts = [WELSH_OFFER, to_utterance({"text": "", "language": "cy",
                                        "buttons": [{"title": "Ie", "payload": "/affirm"}]}).text]
    texts += [getattr(prompts, name) for name in dir(prompts)
              if not name.startswith("_") and name != "helpdesk_phone" and isinstance(getattr(prompts, name), str)]
    return [plain_words(text) for text in texts]


@pytest.mark.skipif(shutil.which("aspell") is None or "cy" not in subprocess.run(
    ["aspell", "dump", "dicts"], capture_output=True, text=True).stdout.split(),
    reason="aspell-cy not installed: run scripts/install-system-packages.sh aspell")
def test_the_channels_welsh_is_spelt_right():
    words = []
    for text in welsh_texts():
        for token in text.replace("’", "'").split():
            if any(c.isdigit() for c in token):
                continue
            words += [part for part in token.strip(".,?!").replace("-", "'").split("'")
                      if part and part.lower() not in {"r", "n", "i", "ch"}]
    result = subprocess.run(["aspell", "--lang=cy", "--encoding=utf-8", "list"], input="\n".join(words),
                            capture_output=True, text=True, check=True)
    allowed = ALLOW_MISSING_FROM_ASPELL_CY | ALLOW_ACRONYMS
    unknown = sorted({w for w in result.stdout.split() if w.lower() not in allowed})
    assert unknown == [], f"words aspell-cy does not know (fix, or allow-list with a reason): {unknown}"


def test_every_welsh_prompt_is_welsh_and_names_the_service_officially():
    welsh, english = WelshVoicePrompts(), PLRTwilioVoiceInput.from_credentials({"auth_token": TOKEN}).prompts
    for name in ("not_heard", "keypad_offer", "keypad_default", "say_again", "anything_else", "transfer_on_request",
                 "transfer_after_misses", "fault", "no_transfer", "dial_failed", "dial_done", "busy", "too_many_calls"):
        assert getattr(welsh, name) != getattr(english, name), name
        assert "LRS" not in getattr(welsh, name) and "Learning Records" not in getattr(welsh, name), name
    assert "Gwasanaeth Cofnodion Dysgu" in welsh.no_transfer and "digits" in welsh.phone

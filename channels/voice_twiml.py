"""TwiML for one turn of a call: what the caller hears, then listen, transfer or hang up.

Every response built here has at least one verb: Twilio ends the call on an empty
`<Response/>`, which is what Rasa's own channel sends on a turn with no bot text.

Each message is said in its own language's voice: English with `voice`/`language`, Welsh
(`cy`) with `welsh_voice`/`welsh_language`. The `<Gather>` listens in the language of the
question it follows. Twilio's speech recognition has no Welsh (docs/voice-welsh.md), so unless
`welsh_speech_language` names one it accepts, a Welsh question is keypad-first: keys are
listened for first and speech in `language` (en-GB), so "yes", "adviser" and digits still work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from channels.voice_directives import VoiceDirective
from channels.voice_speech import fill_say

ENGLISH, WELSH = "en", "cy"
# The signed `<Gather action>` URL carries the caller's language (`lang=cy`), so a turn that
# fails before the assistant answers still apologises in Welsh.
LANGUAGE_PARAM = "lang"


def language_code(value: Any) -> str:
    """"cy", "cy-GB" or "CY" -> "cy"; anything else (None included) -> "en"."""
    return WELSH if str(value or "").strip().lower().replace("_", "-").split("-")[0] == WELSH else ENGLISH


@dataclass(frozen=True)
class Utterance:
    """One bot message for the phone: its voice text (may hold SSML), its directive and language."""

    text: str
    directive: Optional[VoiceDirective] = None
    # A form's question (`utter_ask_*`): the caller is expected to answer it.
    asks: bool = False
    # "cy" for a Welsh message (the NLG's `language` key), else "en".
    language: str = ENGLISH


def language_of(utterances: Sequence[Utterance], default: str = ENGLISH) -> str:
    """The language of the last message with words in it: the one the caller answers."""
    for utterance in reversed(utterances):
        if utterance.text.strip():
            return utterance.language
    return default


@dataclass(frozen=True)
class VoiceSettings:
    voice: str = "Polly.Amy-Neural"
    language: str = "en-GB"
    # Welsh messages: Amazon Polly's only Welsh voice (standard engine; there is no neural one).
    welsh_voice: str = "Polly.Gwyneth"
    welsh_language: str = "cy-GB"
    # The `<Gather>` language for a Welsh question, when Twilio's speech recognition accepts
    # one; None (the default) makes Welsh questions keypad-first, listening in `language`.
    welsh_speech_language: Optional[str] = None
    speech_timeout: str = "3"
    speech_model: str = "default"
    enhanced: str = "false"
    # Seconds Twilio waits for the caller to start speaking or keying.
    gather_timeout: int = 6
    # Seconds the helpdesk may ring before the transfer gives up.
    dial_timeout: int = 30
    dial_number: Optional[str] = None

    def voice_for(self, language: str) -> str:
        return self.welsh_voice if language == WELSH else self.voice

    def say_language_for(self, language: str) -> str:
        return self.welsh_language if language == WELSH else self.language

    def keypad_first(self, language: str) -> bool:
        """True when a question in this language cannot be answered by speech in its language."""
        return language == WELSH and not self.welsh_speech_language

    def gather_language_for(self, language: str) -> str:
        if language == WELSH and self.welsh_speech_language:
            return self.welsh_speech_language
        return self.language


# Builds the URL Twilio posts the next turn to, from query parameters.
ActionUrl = Callable[..., str]


class TurnBuilder:
    def __init__(self, settings: VoiceSettings, action_url: ActionUrl, language: str = ENGLISH) -> None:
        self.settings = settings
        self.action_url = action_url
        # The caller's language before this turn (from the action URL); messages carry their own.
        self.language = language
        # Said first in every `<Gather>` of this turn (the Welsh offer on a new call), and kept
        # in the action URL's query (`extra_params`) so the next turn knows it was offered.
        self.preamble: List[Utterance] = []
        self.extra_params: Dict[str, str] = {}

    def _say(self, text: str, language: Optional[str] = None) -> Say:
        language = language or self.language
        say = Say(voice=self.settings.voice_for(language), language=self.settings.say_language_for(language))
        return fill_say(say, text)

    @staticmethod
    def _params(language: str, **params: Any) -> Dict[str, Any]:
        if language == WELSH:
            params[LANGUAGE_PARAM] = WELSH
        return params

    def listen(self, utterances: Sequence[Utterance], directive: Optional[VoiceDirective],
               misses: int) -> VoiceResponse:
        """Says the messages inside a `<Gather>`, so a caller who knows the answer can speak over them."""
        directive = directive or VoiceDirective()
        language = language_of(utterances, self.language)
        keypad_first = self.settings.keypad_first(language)
        gather = Gather(
            input=directive.keypad_first_input if keypad_first else directive.gather_input,
            language=self.settings.gather_language_for(language),
            action=self.action_url(**self._params(language, turn="gather", misses=misses), **self.extra_params),
            method="POST",
            action_on_empty_result=True,
            timeout=self.settings.gather_timeout,
            speech_timeout=self.settings.speech_timeout,
            speech_model=self.settings.speech_model,
            enhanced=self.settings.enhanced,
            hints=directive.hints,
            num_digits=directive.num_digits,
            finish_on_key=directive.finish_on_key,
        )
        for utterance in [*self.preamble, *utterances]:
            if utterance.text.strip():
                gather.append(self._say(utterance.text, utterance.language))
        response = VoiceResponse()
        response.append(gather)
        return response

    def transfer(self, utterances: Sequence[Utterance], unavailable: str) -> VoiceResponse:
        """Says the messages, then dials the helpdesk; without a number, says how to call and ends."""
        response = self._said(utterances)
        language = language_of(utterances, self.language)
        if self.settings.dial_number:
            response.dial(
                self.settings.dial_number,
                action=self.action_url(**self._params(language, turn="dial")),
                method="POST",
                timeout=self.settings.dial_timeout,
            )
        else:
            response.append(self._say(unavailable, language))
            response.hangup()
        return response

    def hangup(self, utterances: Sequence[Utterance] = ()) -> VoiceResponse:
        response = self._said(utterances)
        response.hangup()
        return response

    def _said(self, utterances: Sequence[Utterance]) -> VoiceResponse:
        response = VoiceResponse()
        for utterance in utterances:
            if utterance.text.strip():
                response.append(self._say(utterance.text, utterance.language))
        return response


def spoken(utterances: Sequence[Utterance]) -> List[Utterance]:
    return [u for u in utterances if u.text.strip()]

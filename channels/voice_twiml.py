"""TwiML for one turn of a call: what the caller hears, then listen, transfer or hang up.

Every response built here has at least one verb: Twilio ends the call on an empty
`<Response/>`, which is what Rasa's own channel sends on a turn with no bot text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from channels.voice_directives import VoiceDirective
from channels.voice_speech import fill_say


@dataclass(frozen=True)
class Utterance:
    """One bot message for the phone: its voice text (may hold SSML) and its directive."""

    text: str
    directive: Optional[VoiceDirective] = None
    # A form's question (`utter_ask_*`): the caller is expected to answer it.
    asks: bool = False


@dataclass(frozen=True)
class VoiceSettings:
    voice: str = "Polly.Amy-Neural"
    language: str = "en-GB"
    speech_timeout: str = "3"
    speech_model: str = "default"
    enhanced: str = "false"
    # Seconds Twilio waits for the caller to start speaking or keying.
    gather_timeout: int = 6
    # Seconds the helpdesk may ring before the transfer gives up.
    dial_timeout: int = 30
    dial_number: Optional[str] = None


# Builds the URL Twilio posts the next turn to, from query parameters.
ActionUrl = Callable[..., str]


class TurnBuilder:
    def __init__(self, settings: VoiceSettings, action_url: ActionUrl) -> None:
        self.settings = settings
        self.action_url = action_url

    def _say(self, text: str) -> Say:
        return fill_say(Say(voice=self.settings.voice, language=self.settings.language), text)

    def listen(self, utterances: Sequence[Utterance], directive: Optional[VoiceDirective],
               misses: int) -> VoiceResponse:
        """Says the messages inside a `<Gather>`, so a caller who knows the answer can speak over them."""
        directive = directive or VoiceDirective()
        gather = Gather(
            input=directive.gather_input,
            language=self.settings.language,
            action=self.action_url(turn="gather", misses=misses),
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
        for utterance in utterances:
            if utterance.text.strip():
                gather.append(self._say(utterance.text))
        response = VoiceResponse()
        response.append(gather)
        return response

    def transfer(self, utterances: Sequence[Utterance], unavailable: str) -> VoiceResponse:
        """Says the messages, then dials the helpdesk; without a number, says how to call and ends."""
        response = self._said(utterances)
        if self.settings.dial_number:
            response.dial(
                self.settings.dial_number,
                action=self.action_url(turn="dial"),
                method="POST",
                timeout=self.settings.dial_timeout,
            )
        else:
            response.append(self._say(unavailable))
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
                response.append(self._say(utterance.text))
        return response


def spoken(utterances: Sequence[Utterance]) -> List[Utterance]:
    return [u for u in utterances if u.text.strip()]

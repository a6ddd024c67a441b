"""The telephone channel: Rasa 3.6's `TwilioVoiceInput` made fit for the helpdesk overflow line.

Wired in credentials.yml as `channels.twilio_voice.PLRTwilioVoiceInput`, at the stock path
`/webhooks/twilio_voice/webhook`. What differs from `rasa.core.channels.twilio_voice` (3.6.21):

- Every POST must carry a valid `X-Twilio-Signature` (twilio's `RequestValidator`, the auth
  token, and the public webhook URL or else the request URL); anything else gets 403.
- The conversation id is the `CallSid`, not the caller's number: two calls from one phone
  share nothing, and the number itself is never stored or logged.
- A finished call (`completed`, `busy`, `failed`, `no-answer`, `canceled`) starts a new session
  in its conversation, which drops every slot and any open form.
- `<Gather input="speech dtmf" language="en-GB">` with an en-GB voice. Keypad `Digits` reach
  the assistant as text; keypad menus, hints and digit counts come from the voice directive
  (channels/voice_directives.py) in the bot's messages. SSML in voice variations is spoken,
  not escaped (channels/voice_speech.py).
- "Adviser" or 0 transfers to the helpdesk (`<Dial>`); so do responses whose directive says
  `then: transfer` (the form's third failure, the handoff answer). `then: hangup` ends the call.
- A silent or unheard turn repeats the question; the second offers the keypad; the third puts
  the caller through to a person. Replies marked `miss` (not understood) count the same way.
  The count travels in the signed `<Gather action>` URL, so any Rasa server can take the turn.
- Never an empty `<Response/>` (Twilio hangs up on one), and never a 500: custom payloads are
  read, not passed to the TwiML builder, and a failed turn apologises and transfers.
- A replayed request (the same `CallSid` and `I-Twilio-Idempotency-Token`, or the same signed
  request, within ten minutes) gets the TwiML it got before and no second turn
  (channels/replay.py); with `LOCK_STORE=redis` on whichever Rasa server it reaches.
- One caller may start only a few calls in a short time (channels/abuse.py: Twilio's `From`,
  kept only as a keyed hash in memory); a server with too many turns waiting puts the caller
  through to the helpdesk at once.
- The server refuses to start when Twilio's public URL is plain http (or unknown) and it
  listens beyond loopback, unless `TWILIO_ALLOW_HTTP=1`: signatures over http can be captured.
- Logs name a call by a keyed hash of its CallSid (channels/log_ids.py), never the CallSid.
- Welsh (docs/voice-welsh.md): a new call hears "I barhau yn Gymraeg, pwyswch 9." in the Welsh
  voice before the greeting, and 9 switches the conversation to Welsh. Messages the NLG marks
  `language: cy` are said with `welsh_voice` (Polly.Gwyneth, cy-GB), and so are the channel's
  own prompts when the caller's question was Welsh. Twilio's speech recognition has no Welsh,
  so Welsh questions are keypad-first (`<Gather input="dtmf speech" language="en-GB">`) and a
  first silence already offers the keypad. The caller's language travels in the signed action URL.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import re
from dataclasses import replace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, urlencode

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from channels import abuse, guard, request_size
from channels.log_ids import log_id
from channels.replay import AnyReplayCache, ReplayCache, SharedReplayCache, configured_cache, request_key
from channels.voice_directives import VoiceDirective, parse_directive, with_button_keys
from channels.voice_input import CallerInput, read_caller_input
from channels.voice_prompts import (
    CHOOSE_WELSH,
    WELSH_MENU_ITEM,
    WELSH_MENU_OR,
    WELSH_OFFER,
    WELSH_OFFER_KEY,
    VoicePrompts,
    WelshVoicePrompts,
)
from channels.voice_speech import plain_words, speakable
from channels.voice_twiml import (
    LANGUAGE_PARAM,
    WELSH,
    TurnBuilder,
    Utterance,
    VoiceSettings,
    language_code,
    language_of,
    spoken,
)

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
ENDED_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
DIAL_CONNECTED = {"completed", "answered"}
# Twilio's CallSid is "CA" and 32 hex digits; anything else is not one of its calls.
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_BODY_BYTES = 65_536
# The third miss in a row (silence, unheard speech, or not understood) transfers to a person.
MAX_MISSES = 3
SESSION_START = "/session_start"
# In the first turn's action URL: the Welsh offer was made, so key 9 still chooses Welsh.
OFFER_PARAM = "offer"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class _Params(dict):
    """Form fields as lists (twilio's validator signs every value of a repeated field)."""

    def getlist(self, name: str) -> List[str]:
        return self[name]

    def first(self, name: str) -> Optional[str]:
        values = self.get(name)
        return values[0] if values else None


def parse_form(body: bytes) -> _Params:
    params = _Params()
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return params


def public_webhook_url(value: Optional[str]) -> Optional[str]:
    """TWILIO_PUBLIC_URL may be the site's base URL or the full webhook URL."""
    value = (value or "").strip().rstrip("/")
    if not value:
        return None
    if not re.match(r"^https?://[^/\s]+", value):
        raise InvalidConfigException(f"TWILIO_PUBLIC_URL must be an http(s) URL, got {value!r}.")
    return value if value.endswith(WEBHOOK_PATH) else value + WEBHOOK_PATH


class VoiceCollectingOutputChannel(CollectingOutputChannel):
    """Collects each bot message whole: its voice text with the directive that came with it."""

    def __init__(self) -> None:
        super().__init__()
        self.utterances: List[Utterance] = []

    @classmethod
    def name(cls) -> str:
        # The output channel's name picks the `channel: twilio_voice` response variations.
        return "twilio_voice"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        utterance = to_utterance(message)
        self.utterances.append(utterance)
        await self._persist_message(self._message(recipient_id, text=utterance.text or None,
                                                  custom=message.get("custom")))


def to_utterance(message: Dict[str, Any]) -> Utterance:
    """A bot message (or a stored bot event's data) as the phone speaks it.

    The NLG marks a Welsh response with `language: cy` (a top-level key, which Rasa keeps in
    the message and in the stored event's metadata); anything else is English."""
    language = language_code(message.get("language"))
    buttons = message.get("buttons") or message.get("quick_replies") or []
    buttons = buttons if isinstance(buttons, list) else []
    directive = with_button_keys(parse_directive(message.get("custom")), buttons)
    text = speakable(str(message.get("text") or ""))
    if buttons and directive is None:
        # A response with no voice variation: its buttons become a spoken keypad menu.
        text, directive = _spoken_menu(text, buttons, language)
    return Utterance(text, directive, asks=str(message.get("utter_action") or "").startswith("utter_ask_"),
                     language=language)


def _spoken_menu(text: str, buttons: Sequence[Dict[str, Any]], language: str = "en") -> Tuple[str, VoiceDirective]:
    keys: Dict[str, str] = {}
    parts: List[str] = []
    for number, button in enumerate(buttons[:9], start=1):
        if not isinstance(button, dict):
            continue
        title = speakable(str(button.get("title") or "")).rstrip(".?!")
        payload = str(button.get("payload") or title)
        if title and payload:
            keys[str(number)] = payload
            if language == WELSH:
                parts.append(WELSH_MENU_ITEM.format(number=number, title=title))
            else:
                parts.append(f"press {number} for {title}")
    if not parts:
        return text, VoiceDirective()
    menu = (WELSH_MENU_OR if language == WELSH else "Or") + " " + ", ".join(parts) + "."
    return f"{text} {menu}".strip(), VoiceDirective(keys=keys)


def with_welsh_offer_key(directive: Optional[VoiceDirective]) -> VoiceDirective:
    """The first turn's directive with key 9 for Welsh beside the greeting's own keys."""
    directive = directive or VoiceDirective()
    return replace(directive, keys={**directive.keys, WELSH_OFFER_KEY: CHOOSE_WELSH})


class PLRTwilioVoiceInput(TwilioVoiceInput):
    """Twilio voice input channel for the helpdesk overflow line."""

    @classmethod
    def name(cls) -> str:
        return "twilio_voice"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> PLRTwilioVoiceInput:
        credentials = credentials or {}

        def text(key: str, default: str = "") -> str:
            value = credentials.get(key)
            return default if value is None or str(value).strip() == "" else str(value).strip()

        return cls(
            auth_token=text("auth_token"),
            public_url=text("public_url") or None,
            dial_number=text("dial_number") or None,
            helpdesk_phone=text("helpdesk_phone", VoicePrompts.helpdesk_phone),
            initial_prompt=text("initial_prompt", "/greet"),
            assistant_voice=text("assistant_voice", "Polly.Amy-Neural"),
            language=text("language", "en-GB"),
            welsh_voice=text("welsh_voice", "Polly.Gwyneth"),
            welsh_language=text("welsh_language", "cy-GB"),
            welsh_speech_language=text("welsh_speech_language") or None,
            speech_timeout=text("speech_timeout", "3"),
            speech_model=text("speech_model", "default"),
            enhanced=text("enhanced", "false"),
            min_confidence=text("min_confidence", "0"),
        )

    def __init__(
        self,
        auth_token: str,
        public_url: Optional[str] = None,
        dial_number: Optional[str] = None,
        helpdesk_phone: str = VoicePrompts.helpdesk_phone,
        initial_prompt: str = "/greet",
        assistant_voice: str = "Polly.Amy-Neural",
        language: str = "en-GB",
        welsh_voice: str = "Polly.Gwyneth",
        welsh_language: str = "cy-GB",
        welsh_speech_language: Optional[str] = None,
        speech_timeout: str = "3",
        speech_model: str = "default",
        enhanced: str = "false",
        min_confidence: str = "0",
    ) -> None:
        prompts = VoicePrompts(helpdesk_phone=helpdesk_phone)
        super().__init__(initial_prompt, prompts.say_again, assistant_voice, speech_timeout, speech_model, enhanced)
        if not auth_token or auth_token.startswith("__"):
            raise InvalidConfigException(
                "The telephone channel needs TWILIO_AUTH_TOKEN to check that requests come from Twilio.")
        if not re.match(r"^[a-z]{2}-[A-Z]{2}$", language):
            raise InvalidConfigException(f"language must look like en-GB, got {language!r}.")
        if welsh_voice not in self.SUPPORTED_VOICES:
            raise InvalidConfigException(f"welsh_voice {welsh_voice!r} is not a Twilio voice (Polly.Gwyneth is).")
        if not LANGUAGE_TAG.match(welsh_language):
            raise InvalidConfigException(f"welsh_language must look like cy-GB, got {welsh_language!r}.")
        if welsh_speech_language is not None and not LANGUAGE_TAG.match(welsh_speech_language):
            raise InvalidConfigException(
                f"welsh_speech_language must be a <Gather> language such as cy-GB, or empty, "
                f"got {welsh_speech_language!r}.")
        try:
            self.min_confidence = float(min_confidence)
        except ValueError as exc:
            raise InvalidConfigException(f"min_confidence must be a number, got {min_confidence!r}.") from exc
        if dial_number and not E164.match(dial_number):
            raise InvalidConfigException("HELPDESK_DIAL_NUMBER must be an E.164 number such as +443456022589.")
        if not dial_number:
            logger.warning("HELPDESK_DIAL_NUMBER is empty: callers asking for a person are told the number to call.")
        self.validator = RequestValidator(auth_token)
        self.public_url = public_webhook_url(public_url)
        # Until the server starts: the shared cache's Redis client belongs to the server's loop.
        self.replays: AnyReplayCache = ReplayCache()
        self.prompts = prompts
        self.welsh_prompts = WelshVoicePrompts(helpdesk_phone=helpdesk_phone)
        self.settings = VoiceSettings(
            voice=assistant_voice, language=language, speech_timeout=speech_timeout, speech_model=speech_model,
            enhanced=enhanced, dial_number=dial_number, welsh_voice=welsh_voice, welsh_language=welsh_language,
            welsh_speech_language=welsh_speech_language,
        )

    def prompts_for(self, language: str) -> VoicePrompts:
        return self.welsh_prompts if language == WELSH else self.prompts

    # --- HTTP ------------------------------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # Flood control per call, and a failed turn (action server or a store down) raises, so
        # the caller hears the fault prompt and is put through (channels/guard.py).
        on_new_message = guard.default_guard().raising(on_new_message)
        webhook = Blueprint("plr_twilio_voice_webhook", __name__)
        request_size.limit(webhook)

        @webhook.listener("before_server_start")
        async def refuse_plain_http(app: Any, _loop: Any) -> None:
            check_transport(self.public_url, getattr(app.state, "host", None), bool(getattr(app.state, "ssl", None)))

        @webhook.listener("before_server_start")
        async def share_replays(app: Any, _loop: Any) -> None:
            replays = configured_cache()
            if isinstance(replays, SharedReplayCache):
                await replays.start()  # an unreachable Redis: this server's memory, and a warning
            self.replays = replays

        @webhook.listener("after_server_stop")
        async def close_replays(app: Any, _loop: Any) -> None:
            if isinstance(self.replays, SharedReplayCache):
                await self.replays.close()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("Request too large.", status=413)
            form = parse_form(request.body or b"")
            if not self.signature_ok(request, form):
                logger.warning("Refused a voice webhook request with a missing or invalid Twilio signature.")
                return response.text("Invalid Twilio signature.", status=403)
            call_sid = form.first("CallSid") or ""
            if not CALL_SID.match(call_sid):
                return response.text("CallSid is missing or malformed.", status=400)
            key = request_key(call_sid, request.headers.get("I-Twilio-Idempotency-Token"),
                              request.headers.get("X-Twilio-Signature", ""), request.url, request.body or b"")

            async def answer() -> str:
                return await self.answer(request, form, call_sid, on_new_message)

            twiml, replayed = await self.replays.once(key, answer)
            if replayed:
                logger.warning("Voice webhook request for call %s seen before: answered again, no new turn.",
                               log_id(call_sid))
            return response.text(twiml, content_type="text/xml")

        return webhook

    def turn_builder(self, request: Request) -> TurnBuilder:
        # The caller's language so far comes from the signed action URL (`lang=cy`).
        return TurnBuilder(self.settings, self._action_url(request), language_code(request.args.get(LANGUAGE_PARAM)))

    async def answer(self, request: Request, form: _Params, call_sid: str, on_new_message: OnNewMessage) -> str:
        """The TwiML for one request: the turn, or an apology and a transfer (in the caller's
        language) when the turn was refused or failed."""
        turns = self.turn_builder(request)
        language = turns.language
        prompts = self.prompts_for(language)
        try:
            twiml = await self.handle(request, form, call_sid, turns, on_new_message)
        except guard.TurnNotHandled as refused:
            # Flood control on this call, or the server is too busy: a person takes over.
            if refused.outcome.status != guard.FAILED:  # a failure is logged by the guard
                abuse.log_refusal(f"voice turns ({refused.outcome.status})")
            busy = refused.outcome.status == guard.BUSY
            twiml = turns.transfer([Utterance(prompts.busy if busy else prompts.fault, language=language)],
                                   prompts.no_transfer)
        except Exception as exc:  # noqa: BLE001 - a caller must hear something, whatever failed
            # The type only: an exception's text may carry what the caller said.
            logger.error("Voice turn failed for call %s: %s", log_id(call_sid), type(exc).__name__)
            logger.debug("Voice turn failure", exc_info=True)
            twiml = turns.transfer([Utterance(prompts.fault, language=language)], prompts.no_transfer)
        return str(twiml)

    def signature_ok(self, request: Request, form: _Params) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        if self.public_url:
            query = request.query_string
            url = f"{self.public_url}?{query}" if query else self.public_url
        else:
            url = request.url
        return self.validator.validate(url, form, signature)

    def _action_url(self, request: Request) -> Callable[..., str]:
        def build(**params: Any) -> str:
            # Relative to the webhook's own URL unless the public URL is known, so a proxy
            # that serves Rasa under a path prefix still gets the next turn.
            base = self.public_url or "webhook"
            return f"{base}?{urlencode(params)}"

        return build

    # --- one turn --------------------------------------------------------------------------
    async def handle(self, request: Request, form: _Params, call_sid: str, turns: TurnBuilder,
                     on_new_message: OnNewMessage) -> VoiceResponse:
        status = (form.first("CallStatus") or "").lower()
        turn = request.args.get("turn")
        agent = request.app.ctx.agent
        if status in ENDED_STATUSES:
            await self.end_call(agent, call_sid, on_new_message)
            return turns.hangup()
        if turn == "dial":
            return self.after_dial(form, turns)
        if turn != "gather":
            if not self.new_call_allowed(form):
                return turns.hangup([Utterance(self.prompts.too_many_calls)])
            logger.info("Voice call %s started.", log_id(call_sid))
            utterances = await self.ask(on_new_message, call_sid, self.initial_prompt or "/greet")
            self.offer_welsh(turns)
            return self.respond(turns, utterances, misses=0, previous=([], None))
        misses = _int(request.args.get("misses"), 0, 0, MAX_MISSES)
        previous = await self.previous_turn(agent, call_sid)
        # On the first turn (and while the caller has not yet answered it), 9 chooses Welsh.
        offered = request.args.get(OFFER_PARAM) == WELSH
        caller = read_caller_input(
            form.first("SpeechResult"), form.first("Digits"),
            with_welsh_offer_key(previous[1]) if offered else previous[1],
            _float(form.first("Confidence")), self.min_confidence,
        )
        if caller.kind in ("repeat", "silence") and offered:
            self.offer_welsh(turns)
        if caller.kind == "repeat":
            again = [u for u in previous[0] if not (u.directive and u.directive.then)]
            directive = previous[1] if previous[1] and not previous[1].then else None
            language = language_of(previous[0], turns.language)
            return turns.listen(again or [Utterance(self.prompts_for(language).anything_else, language=language)],
                                directive, misses)
        if caller.kind == "silence":
            return self.missed(turns, previous, misses + 1)
        utterances = await self.ask(on_new_message, call_sid, caller.text, caller)
        if caller.kind == "handoff":
            return self.transfer_on_request(turns, utterances)
        return self.respond(turns, utterances, misses, previous)

    @staticmethod
    def offer_welsh(turns: TurnBuilder) -> None:
        """The Welsh offer, said in the Welsh voice before the turn's messages; the action URL
        remembers it, so 9 still chooses Welsh after a silence or a repeat."""
        turns.preamble = [Utterance(WELSH_OFFER, language=WELSH)]
        turns.extra_params = {OFFER_PARAM: WELSH}

    async def ask(self, on_new_message: OnNewMessage, call_sid: str, text: str,
                  caller: Optional[CallerInput] = None) -> List[Utterance]:
        collector = VoiceCollectingOutputChannel()
        metadata = {"voice_input": "keypad" if caller and caller.keypad else "speech"}
        await on_new_message(UserMessage(text, collector, call_sid, input_channel=self.name(), metadata=metadata))
        return collector.utterances

    def respond(self, turns: TurnBuilder, utterances: List[Utterance], misses: int,
                previous: Tuple[List[Utterance], Optional[VoiceDirective]]) -> VoiceResponse:
        # The channel's own words follow the language the assistant just spoke in.
        language = language_of(utterances, language_of(previous[0], turns.language))
        prompts = self.prompts_for(language)
        for index, utterance in enumerate(utterances):
            then = utterance.directive.then if utterance.directive else None
            if then == "transfer":
                said = utterances[: index + 1]
                return turns.transfer(said, self.prompts_for(language_of(said, language)).no_transfer)
            if then == "hangup":
                logger.info("Voice call ended by the assistant.")
                return turns.hangup(utterances[: index + 1])
        understood = spoken(utterances) and not any(u.directive and u.directive.miss for u in utterances)
        if not spoken(utterances):
            # Nothing to say is the assistant's failure to follow; it counts as a miss.
            return self.missed(turns, previous, misses + 1, lead="say_again")
        misses = 0 if understood else misses + 1
        if misses >= MAX_MISSES:
            return turns.transfer([Utterance(prompts.transfer_after_misses, language=language)], prompts.no_transfer)
        directive = _last_directive(utterances)
        if not asks_something(spoken(utterances)[-1], directive):
            # An answer that asks nothing: on the phone, silence would follow. Say what next.
            utterances = [*utterances, Utterance(prompts.anything_else, language=language)]
        return turns.listen(utterances, directive, misses)

    def missed(self, turns: TurnBuilder, previous: Tuple[List[Utterance], Optional[VoiceDirective]], misses: int,
               lead: str = "not_heard") -> VoiceResponse:
        """`lead` names the prompt said before the question again (`not_heard`, `say_again`)."""
        utterances, directive = previous
        language = language_of(utterances, turns.language)
        prompts = self.prompts_for(language)
        # Ask the last question again; never repeat a transfer or goodbye line (after a failed
        # transfer, say), and when there is no question, ask what the caller needs.
        asked = [u for u in utterances if u.text.strip() and not (u.directive and u.directive.then)]
        if directive and directive.then:
            directive = None
        question = asked[-1:] if asked and asks_something(asked[-1], directive) else []
        question = question or [Utterance(prompts.anything_else, language=language)]
        if misses >= MAX_MISSES:
            return turns.transfer([Utterance(prompts.transfer_after_misses, language=language)], prompts.no_transfer)
        keypad = Utterance((directive.keypad if directive else None) or prompts.keypad_default, language=language)
        if misses == MAX_MISSES - 1:
            said = [Utterance(prompts.keypad_offer, language=language), keypad, *question]
        elif self.settings.keypad_first(language):
            # A question Twilio cannot hear answered (Welsh): the keys at the first silence.
            said = [Utterance(getattr(prompts, lead), language=language), keypad, *question]
        else:
            said = [Utterance(getattr(prompts, lead), language=language), *question]
        return turns.listen(said, directive, misses)

    def transfer_on_request(self, turns: TurnBuilder, utterances: List[Utterance]) -> VoiceResponse:
        language = language_of(utterances, turns.language)
        prompts = self.prompts_for(language)
        for index, utterance in enumerate(utterances):
            if utterance.directive and utterance.directive.then == "transfer":
                return turns.transfer(utterances[: index + 1], prompts.no_transfer)
        # The assistant answered something else (a form re-asking its question, say): the
        # caller asked for a person, so that is what happens.
        return turns.transfer([Utterance(prompts.transfer_on_request, language=language)], prompts.no_transfer)

    def after_dial(self, form: _Params, turns: TurnBuilder) -> VoiceResponse:
        # The dial's action URL carries the caller's language (`lang=cy`).
        language = turns.language
        prompts = self.prompts_for(language)
        if (form.first("DialCallStatus") or "").lower() in DIAL_CONNECTED:
            return turns.hangup([Utterance(prompts.dial_done, language=language)])
        return turns.listen([Utterance(prompts.dial_failed, language=language)], None, 0)

    async def previous_turn(self, agent: Any, call_sid: str) -> Tuple[List[Utterance], Optional[VoiceDirective]]:
        """The assistant's messages since the caller last spoke, and the directive they set."""
        tracker = await agent.tracker_store.retrieve(call_sid)
        if tracker is None:
            return [], None
        said: List[Utterance] = []
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered):
                # The event's metadata names the response (`utter_action`), as in a live message.
                said.insert(0, to_utterance({**(event.data or {}), **(event.metadata or {}), "text": event.text}))
        return said, _last_directive(said)

    async def end_call(self, agent: Any, call_sid: str, on_new_message: OnNewMessage) -> None:
        """A new session in the call's conversation: slots, forms and details are dropped."""
        tracker = await agent.tracker_store.retrieve(call_sid)
        if tracker is None or not any(isinstance(e, UserUttered) for e in tracker.events):
            return
        await on_new_message(
            UserMessage(SESSION_START, CollectingOutputChannel(), call_sid, input_channel=self.name()))
        logger.info("Voice call %s ended; its conversation was closed.", log_id(call_sid))

    def new_call_allowed(self, form: _Params) -> bool:
        """A caller's allowance of new calls (per number, as a keyed hash; the number itself is
        neither kept nor logged)."""
        limits = abuse.default_limits()
        caller = limits.caller_hash(form.first("From") or "")
        if limits.calls_per_caller.take(caller):
            return True
        abuse.log_refusal("new calls per caller")
        return False


def _is_loopback(host: Optional[str]) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(public_url: Optional[str], bind_host: Optional[str], tls: bool) -> None:
    """Refuse to serve Twilio over plain http beyond loopback (its signatures, and what callers
    say, could be captured and replayed) unless TWILIO_ALLOW_HTTP=1 says a TLS proxy in front
    is not visible from here."""
    if _is_loopback(bind_host) or (os.environ.get("TWILIO_ALLOW_HTTP") or "").strip() == "1":
        return
    if public_url:
        secure = public_url.lower().startswith("https://")
    else:
        secure = tls  # the request URL is checked: https only when Rasa itself serves TLS
    if not secure:
        raise InvalidConfigException(
            f"The telephone channel would take Twilio's requests over plain http on {bind_host}: set "
            "TWILIO_PUBLIC_URL to the https URL Twilio calls, or set TWILIO_ALLOW_HTTP=1 if a TLS "
            "proxy in front of this server is what Twilio reaches.")


def asks_something(utterance: Utterance, directive: Optional[VoiceDirective]) -> bool:
    """A question, or a prompt for keys or digits ("Please say your ULN, or key it in")."""
    if utterance.asks or (directive is not None and (directive.keys or directive.num_digits or directive.miss)):
        return True
    return plain_words(utterance.text).rstrip().endswith("?")


def _last_directive(utterances: Sequence[Utterance]) -> Optional[VoiceDirective]:
    for utterance in reversed(utterances):
        if utterance.directive is not None:
            return utterance.directive
    return None


def _int(value: Optional[str], default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _float(value: Optional[str]) -> Optional[float]:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None

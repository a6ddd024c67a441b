"""The voice directive: what a response tells a telephone channel about the answer it expects.

A response's `channel: twilio_voice` variation carries it in its custom payload, beside the
text the caller hears:

    custom:
      voice:
        input: speech dtmf            # what the caller may use: speech, dtmf (keypad) or both
        keys: {"1": "/affirm", "2": "/deny"}   # a keypad menu: each key stands for a message
        num_digits: 10                # a keypad entry ends by itself after this many digits
        finish_on_key: "#"            # ... or when the caller presses this key
        hints: "$OOV_CLASS_DIGIT_SEQUENCE"     # what the speech recogniser should expect
        keypad: "Key in your ULN, then press hash."  # said when the caller was not heard twice
        expect: postcode              # the answer's kind: postcode, uln, date, email or reference
        then: transfer                # after this message: transfer to a person, or hangup
        miss: true                    # this reply means the assistant did not understand

A Welsh response (the NLG gives it `language: cy`) uses the same fields. Twilio cannot
recognise Welsh speech, so its questions are keypad-first whatever `input` says (see
`keypad_first_input` and docs/voice-welsh.md): its text should say which keys to press.

Nothing in it is TwiML, so another telephony channel could read the same payload. It is read
leniently: a malformed field is dropped and logged, never raised, so a slip in the domain
cannot end a call.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

logger = logging.getLogger(__name__)

INPUTS = ("speech", "dtmf")
THEN = ("transfer", "hangup")
EXPECT = ("postcode", "uln", "date", "email", "reference")
# 0 always asks for a person and * repeats the question, so a menu uses 1-9 only.
MENU_KEY = re.compile(r"^[1-9]$")
FINISH_KEYS = ("#", "*")
MAX_DIGITS = 20
MAX_TEXT = 500


@dataclass(frozen=True)
class VoiceDirective:
    inputs: Tuple[str, ...] = INPUTS
    keys: Mapping[str, str] = field(default_factory=dict)
    num_digits: Optional[int] = None
    finish_on_key: Optional[str] = None
    hints: Optional[str] = None
    keypad: Optional[str] = None
    expect: Optional[str] = None
    then: Optional[str] = None
    miss: bool = False

    @property
    def gather_input(self) -> str:
        return " ".join(self.inputs)

    @property
    def keypad_first_input(self) -> str:
        """For a question whose language Twilio cannot recognise (Welsh): the keypad always, first,
        and speech too unless the directive says keys only, so 0, * and digits always work."""
        return " ".join(("dtmf", *(i for i in self.inputs if i != "dtmf")))


def parse_directive(custom: Any) -> Optional[VoiceDirective]:
    """The directive in a custom payload (`{"voice": {...}}`), or None when there is none."""
    if not isinstance(custom, Mapping):
        return None
    raw = custom.get("voice")
    if not isinstance(raw, Mapping):
        return None
    values: Dict[str, Any] = {}
    for name, reader in _READERS.items():
        if name not in raw or raw[name] is None:
            continue
        value = reader(raw[name])
        if value is None:
            logger.warning("Ignoring the voice directive's %r: %r is not allowed.", name, raw[name])
        else:
            values[_FIELDS.get(name, name)] = value
    unknown = set(raw) - set(_READERS)
    if unknown:
        logger.warning("Ignoring unknown voice directive fields: %s", ", ".join(sorted(map(str, unknown))))
    return VoiceDirective(**values)


def with_button_keys(directive: Optional[VoiceDirective], buttons: Any) -> Optional[VoiceDirective]:
    """A voice variation keeps its screen buttons (actions read them); unless the directive names
    its own `keys`, they make the keypad menu in their order: 1 for the first button, and so on."""
    if directive is None or directive.keys or not isinstance(buttons, list):
        return directive
    keys = {str(n): str(b.get("payload")) for n, b in enumerate(buttons[:9], start=1)
            if isinstance(b, Mapping) and b.get("payload")}
    return replace(directive, keys=keys) if keys else directive


def directive_problems(custom: Any) -> List[str]:
    """What is wrong with a custom payload's directive, for checks of the domain (empty when fine)."""
    if custom is None:
        return []
    if not isinstance(custom, Mapping) or set(custom) != {"voice"} or not isinstance(custom["voice"], Mapping):
        return ["a voice variation's custom payload must be {voice: {...}}"]
    raw = custom["voice"]
    issues = [f"unknown field {name!r}" for name in raw if name not in _READERS]
    issues += [f"{name}: {raw[name]!r} is not allowed" for name, reader in _READERS.items()
               if name in raw and (raw[name] is None or reader(raw[name]) is None)]
    return issues


def _inputs(value: Any) -> Optional[Tuple[str, ...]]:
    words = tuple(w for w in str(value).lower().replace(",", " ").split() if w)
    if not words or any(w not in INPUTS for w in words):
        return None
    return tuple(w for w in INPUTS if w in words)


def _keys(value: Any) -> Optional[Dict[str, str]]:
    if not isinstance(value, Mapping):
        return None
    keys = {str(k): str(v).strip() for k, v in value.items() if v is not None}
    if not keys or any(not MENU_KEY.match(k) or not v or len(v) > MAX_TEXT for k, v in keys.items()):
        return None
    return keys


def _num_digits(value: Any) -> Optional[int]:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_DIGITS else None


def _choice(allowed: Tuple[str, ...]) -> Callable[[Any], Optional[str]]:
    def read(value: Any) -> Optional[str]:
        text = str(value).strip()
        return text if text in allowed else None

    return read


def _text(value: Any) -> Optional[str]:
    text = " ".join(str(value).split())
    return text if text and len(text) <= MAX_TEXT else None


def _flag(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


_READERS = {
    "input": _inputs,
    "keys": _keys,
    "num_digits": _num_digits,
    "finish_on_key": _choice(FINISH_KEYS),
    "hints": _text,
    "keypad": _text,
    "expect": _choice(EXPECT),
    "then": _choice(THEN),
    "miss": _flag,
}
_FIELDS = {"input": "inputs"}

"""What a caller hears: response text turned into the content of a TwiML `<Say>`.

Voice variations may use a few SSML tags, which Rasa's own channel escapes into spoken
angle brackets. Only these pass through, with their attributes checked:

    <say-as interpret-as="digits|characters|spell-out|telephone|cardinal|ordinal|date">...</say-as>
    <break time="500ms"/>  or  <break strength="medium"/>
    <sub alias="spoken form">written form</sub>

Any other tag is removed and its words kept, so a slot value can never inject markup (the
text parts are escaped when the TwiML is written). Text from a response without a voice
variation is made speakable too: links, markdown, list bullets and emoji are removed.
"""
from __future__ import annotations

import re
from typing import List, Tuple, Union

from twilio.twiml.voice_response import Say

INTERPRET_AS = ("digits", "characters", "spell-out", "telephone", "cardinal", "ordinal", "date")
DATE_FORMATS = ("dmy", "mdy", "ymd", "dm", "md", "my", "ym", "d", "m", "y")
STRENGTHS = ("none", "x-weak", "weak", "medium", "strong", "x-strong")
# Read character by character, in the groups they are written in.
_GROUPED = ("characters", "spell-out", "digits")
GROUP_PAUSE = "300ms"

_ALLOWED = re.compile(
    r'<say-as\s+interpret-as="(?P<as>[a-z-]+)"(?:\s+format="(?P<format>[a-z]+)")?\s*>(?P<words>[^<>]*)</say-as>'
    r'|<break(?:\s+time="(?P<time>\d{1,4}(?:ms|s))")?(?:\s+strength="(?P<strength>[a-z-]+)")?\s*/>'
    r'|<sub\s+alias="(?P<alias>[^"<>]*)"\s*>(?P<written>[^<>]*)</sub>'
)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)")
_URL = re.compile(r"\bhttps?://\S+", re.I)
_MD_MARKS = re.compile(r"(\*\*|__|\*|`)")
_BULLET = re.compile(r"\n\s*[-*\u2022]\s+")
# Emoji and pictographs (the ranges Rasa's own emoji warning uses), and variation selectors.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\U00002300-\U000023FF"
    "\U0000FE0F\U0000200D]+"
)

# A piece of a `<Say>`: plain words, or (tag, attributes, words) for one SSML element.
Piece = Union[str, Tuple[str, dict, str]]


def ssml_pieces(text: str) -> List[Piece]:
    """Plain text and the allowed SSML elements of a voice text, in order."""
    pieces: List[Piece] = []
    position = 0
    for match in _ALLOWED.finditer(text or ""):
        elements = _elements(match)
        if not elements:
            continue
        _add_text(pieces, text[position : match.start()])
        pieces.extend(elements)
        position = match.end()
    _add_text(pieces, (text or "")[position:])
    return pieces


def ssml_tags_ok(text: str) -> bool:
    """True when every tag in a voice text is one the channel speaks (for checks of the domain)."""
    rest = _ALLOWED.sub(lambda m: "" if _elements(m) else m.group(0), text or "")
    return _ANY_TAG.search(rest) is None


def _elements(match: re.Match) -> List[Tuple[str, dict, str]]:
    if match.group("words") is not None:
        interpret_as = match.group("as")
        fmt = match.group("format")
        words = " ".join(match.group("words").split())
        if interpret_as not in INTERPRET_AS or (fmt and fmt not in DATE_FORMATS) or not words:
            return []
        attrs = {"interpret_as": interpret_as, **({"format": fmt} if fmt else {})}
        if interpret_as not in _GROUPED:
            return [("say-as", attrs, words)]
        # "PLR-7K3M-9QXD", "SW1A 1AA": each group read out, with a short pause between groups,
        # rather than "dash" or one long run of characters.
        groups = [g for g in re.split(r"[\s-]+", words) if g]
        elements: List[Tuple[str, dict, str]] = []
        for group in groups:
            if elements:
                elements.append(("break", {"time": GROUP_PAUSE}, ""))
            elements.append(("say-as", attrs, group))
        return elements
    if match.group("written") is not None:
        written = " ".join(match.group("written").split())
        alias = " ".join(match.group("alias").split())
        return [("sub", {"alias": alias}, written)] if written and alias else []
    strength = match.group("strength")
    if strength and strength not in STRENGTHS:
        return []
    attrs = {k: v for k, v in (("time", match.group("time")), ("strength", strength)) if v}
    return [("break", attrs or {"strength": "medium"}, "")]


def _add_text(pieces: List[Piece], text: str) -> None:
    text = _ANY_TAG.sub(" ", text)
    if not text:
        return
    if pieces and isinstance(pieces[-1], str):
        pieces[-1] += text
    else:
        pieces.append(text)


def fill_say(say: Say, text: str) -> Say:
    """Adds a voice text's words and SSML elements to a `<Say>`."""
    for piece in ssml_pieces(text):
        if isinstance(piece, str):
            say.nest(_squash(piece))
        elif piece[0] == "say-as":
            say.say_as(piece[2], **piece[1])
        elif piece[0] == "sub":
            say.sub(piece[2], **piece[1])
        else:
            say.break_(**piece[1])
    return say


def _squash(text: str) -> str:
    # Keep one space at the edges so words next to an element stay apart.
    inner = " ".join(text.split())
    if not inner:
        return " "
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def speakable(text: str) -> str:
    """Text written for a screen, made fit to be read aloud (no voice variation was found)."""
    text = _MD_LINK.sub(r"\1", text or "")
    text = _URL.sub("", text)
    text = _BULLET.sub(". ", "\n" + text).lstrip("\n. ")
    text = _MD_MARKS.sub("", text)
    text = _EMOJI.sub("", text)
    text = text.replace("\n", ". ")
    text = re.sub(r"([.:;,!?])\s*\.", r"\1", text)
    # A question read into a sentence ("Did you mean Am I talking to a computer??").
    text = re.sub(r"([?!])\s*[?!,]+", r"\1", text)
    return " ".join(text.split())


def plain_words(text: str) -> str:
    """The words of a voice text without any markup, e.g. to check what a caller will hear."""
    out = ""
    for piece in ssml_pieces(text):
        if isinstance(piece, str):
            out += piece
        elif piece[0] == "break":
            out += " "
        else:
            out += piece[1]["alias"] if piece[0] == "sub" else piece[2]
    return " ".join(out.split())

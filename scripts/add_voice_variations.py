#!/usr/bin/env python3
"""Telephone (`channel: twilio_voice`) variations of the assistant's responses: check and add.

    .venv/bin/python scripts/add_voice_variations.py --check
        Lists every response a caller could hear that lacks a voice variation, and every voice
        variation that breaks the rules below; exits 1 when there is any. tests/voice runs it.
    .venv/bin/python scripts/add_voice_variations.py --add [--from TEXTS.yml]
        Adds the missing voice variations: written ones from TEXTS.yml (response name -> list of
        {text, voice, condition}), otherwise a draft made from the screen text (auto_voice_text).
        Each domain file is re-read just before it is written, and written at once, so edits
        made meanwhile by others are kept. Review the drafts: they are a start, not a script.

Rules for a voice variation (the caller hears it; channels/twilio_voice.py speaks it):
- one for each condition the screen variations use, so conditional responses still choose;
- no links, web or email addresses, markdown, emoji, brackets or line breaks in what is said
  (an address may be written inside `<sub alias="spoken form">written</sub>`);
- only the SSML the channel passes on (channels/voice_speech.py), and a valid voice directive;
- the screen variation's buttons kept as they are (actions read them: a spoken "yes" accepts
  an offer), and a keypad menu, from buttons or `keys`, is spoken ("press 1 ...");
- every number the screen text states (phone numbers, durations, limits) is said too;
- no variable the screen text does not have, except the ones actions pass for voice;
- sentences of at most 30 words.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from channels.voice_directives import directive_problems
from channels.voice_speech import plain_words, ssml_tags_ok

ROOT = Path(__file__).resolve().parent.parent

DOMAIN_DIR = ROOT / "domain"
CHANNEL = "twilio_voice"
# Variables that actions pass only for the phone (actions/request_flow.py, actions/submit.py).
VOICE_ONLY_VARIABLES = {"review_uln_last3", "reference_spoken"}
MAX_SENTENCE_WORDS = 30

_PLACEHOLDER = re.compile(r"{([^{}\s]+)}")
_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|com|org|net|gov|cymru|io)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MARKDOWN = re.compile(r"\*|_|\[|\]|`|#|\(|\)|\n")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U00002300-\U000023FF]")
_STANDALONE_NUMBER = re.compile(r"(?<![\w/.-])\d+(?=[\s,.;:!?)]|$)(?![/-]\d)")


# --- reading the domain --------------------------------------------------------------------
def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    # Keep `value: null` as written (ruamel's default writes an empty value).
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def load(path: Path):
    with path.open(encoding="utf-8") as handle:
        return _yaml().load(handle)


def domain_files(domain_dir: Path = DOMAIN_DIR) -> List[Path]:
    return sorted(domain_dir.glob("*.yml"))


def _is_voice(variation: Dict[str, Any]) -> bool:
    return variation.get("channel") == CHANNEL


def _condition_key(variation: Dict[str, Any]) -> str:
    condition = variation.get("condition") or []
    return repr(sorted((c.get("type"), c.get("name"), repr(c.get("value"))) for c in condition))


# --- checking --------------------------------------------------------------------------------
def problems(domain_dir: Path = DOMAIN_DIR) -> List[str]:
    found: List[str] = []
    for path in domain_files(domain_dir):
        document = load(path) or {}
        for name, variations in (document.get("responses") or {}).items():
            found += [f"{path.name}: {name}: {p}" for p in response_problems(list(variations or []))]
    return found


def response_problems(variations: List[Dict[str, Any]]) -> List[str]:
    screen = [v for v in variations if not v.get("channel")]
    voice = [v for v in variations if _is_voice(v)]
    if not screen:
        return []
    if not voice:
        return ["no twilio_voice variation"]
    issues: List[str] = []
    voice_conditions = {_condition_key(v) for v in voice}
    for variation in screen:
        if _condition_key(variation) not in voice_conditions:
            issues.append(f"no voice variation for condition {_condition_key(variation)}")
    for variation in voice:
        issues += variation_problems(variation, _matching_screen(variation, screen))
    return issues


def _matching_screen(voice: Dict[str, Any], screen: List[Dict[str, Any]]) -> Dict[str, Any]:
    same = [v for v in screen if _condition_key(v) == _condition_key(voice)]
    plain = [v for v in screen if not v.get("condition")]
    return (same or plain or screen)[0]


def variation_problems(voice: Dict[str, Any], screen: Dict[str, Any]) -> List[str]:
    text = str(voice.get("text") or "")
    screen_text = str(screen.get("text") or "")
    # A variable's name is not what is said: "{field_label}" is checked as a plain word.
    said = _PLACEHOLDER.sub("something", plain_words(text))
    custom = voice.get("custom")
    directive = custom.get("voice") if isinstance(custom, dict) else None
    ends_call = isinstance(directive, dict) and directive.get("then") in ("transfer", "hangup")
    issues: List[str] = []
    if not said.strip():
        issues.append("says nothing")
    if not ssml_tags_ok(text):
        issues.append("has markup the channel does not speak")
    for pattern, what in ((_EMAIL, "an email address"), (_URL, "a web address"), (_MARKDOWN, "markdown, brackets or "
                          "a line break"), (_EMOJI, "an emoji")):
        if pattern.search(said):
            issues.append(f"says {what}: {pattern.search(said).group(0)!r}")
    issues += [f"directive: {p}" for p in directive_problems(custom)]
    buttons = _plain(screen.get("buttons") or [])
    if _plain(voice.get("buttons") or []) != buttons:
        issues.append("buttons differ from the screen variation's (actions read them)")
    keys = directive.get("keys") if isinstance(directive, dict) else None
    keypad = directive.get("keypad") if isinstance(directive, dict) else None
    if (buttons or keys) and not ends_call and "press" not in said.lower() and not keypad:
        issues.append("offers a keypad menu but never says which key to press")
    missing_numbers = set(_STANDALONE_NUMBER.findall(screen_text)) - set(re.findall(r"\d+", said))
    if missing_numbers:
        issues.append(f"leaves out numbers the screen text states: {sorted(missing_numbers)}")
    available = set(_PLACEHOLDER.findall(screen_text + " " + repr(_plain(screen.get("buttons") or []))))
    extra = set(_PLACEHOLDER.findall(text)) - available - VOICE_ONLY_VARIABLES
    if extra:
        issues.append(f"uses variables the response does not have: {sorted(extra)}")
    for sentence in re.split(r"(?<=[.!?])\s+", said):
        if len(sentence.split()) > MAX_SENTENCE_WORDS:
            issues.append(f"a sentence of {len(sentence.split())} words: {sentence[:60]!r}...")
    return issues


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --- drafting ----------------------------------------------------------------------------------
_PHONE = re.compile(r"(?<![\w>])0\d{3} \d{3} \d{4}(?!\d)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")
_ACRONYM_DEFINITION = re.compile(r"\s*\((?:[A-Z][A-Za-z]{1,4})\)")
_ASIDE = re.compile(r"\s*\(([^()]+)\)")


def auto_voice_text(text: str) -> str:
    """A draft voice text from a screen text: numbers and codes marked for reading, asides said."""
    text = " ".join(str(text).replace("\n- ", ". ").split())
    text = _ACRONYM_DEFINITION.sub("", text)
    text = _ASIDE.sub(r", \1,", text)
    text = re.sub(r",\s*([.,;:!?])", r"\1", text)
    text = _PHONE.sub(lambda m: f'<say-as interpret-as="telephone">{m.group(0)}</say-as>', text)
    text = _POSTCODE.sub(lambda m: f'<say-as interpret-as="characters">{m.group(0)}</say-as>', text)
    text = re.sub(r"\bDfE\b", '<sub alias="D F E">DfE</sub>', text)
    return text.replace("**", "").replace("__", "")


def spoken_menu(buttons: List[Dict[str, Any]]) -> str:
    payloads = [str(b.get("payload") or "") for b in buttons]
    if payloads == ["/affirm", "/deny"]:
        return "Say yes or no, or press 1 or 2."
    parts = [f"{i} for {str(b.get('title') or '').rstrip('?.!')}" for i, b in enumerate(buttons, start=1)]
    return "Or press " + ", ".join(parts[:-1]) + (" or " if len(parts) > 1 else "") + parts[-1] + "."


def voice_variations(name: str, screen: List[Dict[str, Any]], written: Optional[List[Dict[str, Any]]]):
    """The voice variations to add to one response, as plain data."""
    made = []
    if written:
        for index, entry in enumerate(written):
            base = screen[index] if index < len(screen) else next((v for v in screen if not v.get("condition")),
                                                                  screen[0])
            condition = entry.get("condition", base.get("condition") if index < len(screen) else None)
            made.append(_variation(entry["text"], condition, base.get("buttons"), entry.get("voice")))
        return made
    for base in screen:
        text = auto_voice_text(base.get("text") or "")
        if base.get("buttons"):
            text = f"{text} {spoken_menu(list(base['buttons']))}"
        made.append(_variation(text, base.get("condition"), base.get("buttons"), None))
    return made


def _variation(text: str, condition: Any, buttons: Any, voice: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    variation: Dict[str, Any] = {}
    if condition:
        variation["condition"] = _plain(condition)
    variation["channel"] = CHANNEL
    variation["text"] = text
    if buttons:
        variation["buttons"] = _plain(buttons)
    if voice:
        variation["custom"] = {"voice": _plain(voice)}
    return variation


def _round_trip(variation: Dict[str, Any]):
    """Plain data as ruamel nodes styled like the rest of the domain (quoted text, flow directive)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    def node(value: Any, flow: bool = False, key: str = ""):
        if isinstance(value, dict):
            out = CommentedMap((k, node(v, flow, k)) for k, v in value.items())
        elif isinstance(value, list):
            out = CommentedSeq(node(v, flow, key) for v in value)
        elif isinstance(value, str) and (key in ("text", "title", "payload") or not re.fullmatch(r"[a-z_]+", value)):
            return Quoted(value)
        else:
            return value
        if flow:
            out.fa.set_flow_style()
        return out

    out = CommentedMap()
    for key, value in variation.items():
        if key == "custom":
            custom = CommentedMap()
            custom["voice"] = node(value["voice"], flow=True)
            out[key] = custom
        elif key == "channel":
            out[key] = value
        else:
            out[key] = node(value)
    return out


def add(domain_dir: Path = DOMAIN_DIR, written: Optional[Dict[str, List[Dict[str, Any]]]] = None) -> List[str]:
    """Adds missing voice variations file by file; returns the names of the responses changed."""
    changed: List[str] = []
    written = written or {}
    for path in domain_files(domain_dir):
        document = load(path)  # read again right before writing: others may be editing
        responses = (document or {}).get("responses") or {}
        touched = False
        for name, variations in responses.items():
            if any(_is_voice(v) for v in variations or []):
                continue
            screen = [v for v in variations if not v.get("channel")]
            if not screen:
                continue
            for variation in voice_variations(name, screen, written.get(name)):
                variations.append(_round_trip(variation))
            changed.append(name)
            touched = True
        if touched:
            with path.open("w", encoding="utf-8") as handle:
                _yaml().dump(document, handle)
    return changed


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="list what is missing or wrong; exit 1 if anything")
    mode.add_argument("--add", action="store_true", help="add the missing voice variations")
    parser.add_argument("--from", dest="texts", type=Path, help="YAML of written voice texts by response name")
    parser.add_argument("--domain", type=Path, default=DOMAIN_DIR)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.add:
        written = None
        if args.texts:
            import yaml

            written = yaml.safe_load(args.texts.read_text(encoding="utf-8"))
        changed = add(args.domain, written)
        print(f"Added voice variations to {len(changed)} responses.")
        for name in changed:
            print(f"  {name}{'' if written and name in written else ' (draft: review it)'}")
    found = problems(args.domain)
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} problems with voice variations.")
        return 1
    print("Every response has a voice variation that follows the rules.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Plain English, measured (GOV.UK style): every response is easy to read, short on the phone,
free of negative contractions and of unexplained jargon, and names providers one way.

The grades come from content/readability.py (textstat's Flesch-Kincaid grade), which `make eval`
prints too. Read-backs of a request (utter_review_request_*) are the learner's own details in a
list, so the prose checks leave them out.
"""
from __future__ import annotations

import re
from typing import Dict, Iterator, List, Tuple

import pytest
import yaml

from channels import guard
from channels.voice_prompts import VoicePrompts
from content import readability
from tests.unit.domain_files import ROOT, variations

MAX_VOICE_WORDS = 35
MAX_SENTENCE_WORDS = 25
NEGATIVE_CONTRACTION = re.compile(
    r"\b(?:do|does|did|is|are|was|were|has|have|had|ca|wo|could|would|should|must|need|might|sha|ai)n[’']t\b",
    re.IGNORECASE)
# A term a learner may not know, and what must appear in the same text to explain it.
JARGON: Dict[str, str] = {
    r"subject access request": r"called a 'subject access request'|\bcopy\b",
    r"public task": r"public work",
    r"substantial public interest": r"stronger reason",
    r"special category": r"sensitive",
    r"data challenge": r"called a data challenge",
    r"data controller": r"responsible for",
    r"awarding organisation": r"exam board",
    r"\bOfqual\b": r"regulator",
    r"\bQCF\b|\bRQF\b": r"framework",
    r"check digit": r"worked out from",
}
# One name for the places learners study.
PROVIDER_NAMES = re.compile(r"\blearning providers?\b|\bschool or college\b", re.IGNORECASE)


def prose() -> List[readability.Scored]:
    return readability.scores()


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def spoken_words(raw: str) -> str:
    """A voice text as counted for length: tags out, written forms kept, contacts filled."""
    return readability.plain_text(re.sub(r'<sub\s+alias="[^"]*"\s*>([^<]*)</sub>', r"\1", raw))


def keypad(option: dict) -> str:
    custom = option.get("custom") or {}
    voice = custom.get("voice") if isinstance(custom, dict) else None
    return str((voice or {}).get("keypad") or "") if isinstance(voice, dict) else ""


def domain_options() -> Iterator[Tuple[str, dict]]:
    for path in sorted((ROOT / "domain").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for response, options in (document.get("responses") or {}).items():
            for option in options or []:
                yield response, option


def every_user_facing_text() -> Iterator[Tuple[str, str]]:
    """(where, text) of everything the assistant shows or says that the project writes."""
    for response, option in domain_options():
        where = f"{response} ({option.get('channel') or 'text'})"
        yield where, str(option.get("text") or "")
        for button in option.get("buttons") or []:
            yield f"{where} button", str(button.get("title") or "")
        if keypad(option):
            yield f"{where} keypad", keypad(option)
    titles = yaml.safe_load((ROOT / "actions" / "intent_titles.yml").read_text(encoding="utf-8"))
    for section in ("intents", "faq"):
        for key, entry in titles[section].items():
            yield f"intent_titles {section}.{key}", entry["title"]
    prompts = VoicePrompts()
    for name in dir(prompts):
        value = getattr(prompts, name)
        if not name.startswith("_") and isinstance(value, str) and name != "helpdesk_phone":
            yield f"VoicePrompts.{name}", value
    yield "guard.technical_problem_text", guard.technical_problem_text()
    yield "guard.no_reply_text", guard.no_reply_text()
    for name in ("SLOW_DOWN_TEXT", "TOO_LONG_TEXT", "NO_WORDS_TEXT"):
        yield f"guard.{name}", getattr(guard, name)


def grades_table(scored: List[readability.Scored]) -> str:
    return "\n".join(f"{s.grade:5.2f}  {s.label}: {s.text}" for s in sorted(scored, key=lambda s: -s.grade))


def test_the_scorer_reads_plain_and_hard_text_apart():
    plain = readability.grade("Your ULN is on your exam certificates. You keep it for life.")
    hard = readability.grade("Organisations processing personal information must demonstrate accountability "
                             "through comprehensive documentation of their processing activities.")
    assert plain <= 6 < 12 <= hard


def test_placeholders_are_filled_and_ssml_is_taken_out():
    text = readability.plain_text('Call <say-as interpret-as="telephone">{helpdesk_phone}</say-as> about '
                                  '{reference}. <sub alias="D F E">DfE</sub> says so.')
    assert "{" not in text and "<" not in text and "D F E says so." in text
    assert readability.scored_text("See gov.uk/guidance/how-to-access-your-personal-learning-record.") == "See link."


def test_every_response_reads_at_grade_8_or_below():
    scored = prose()
    assert len(scored) > 150, "expected every response variation to be scored"
    hard = [s for s in scored if s.grade > readability.MAX_GRADE]
    assert hard == [], f"Flesch-Kincaid grade over {readability.MAX_GRADE}:\n" + grades_table(hard) + \
        "\n\nEvery response:\n" + grades_table(scored)


def test_the_average_grade_is_6_5_or_below():
    scored = prose()
    assert readability.average(scored) <= readability.MAX_AVERAGE, (
        f"average {readability.average(scored):.2f}\n" + grades_table(scored))


def test_read_backs_are_the_only_responses_left_out():
    scored = {s.response for s in prose()}
    left_out = {response for response, option in domain_options() if option.get("text")} - scored
    assert left_out and all(readability.READ_BACKS.match(r) for r in left_out), left_out


def test_no_negative_contractions_anywhere():
    found = [f"{where}: {NEGATIVE_CONTRACTION.search(text).group(0)!r} in {text!r}"
             for where, text in every_user_facing_text() if NEGATIVE_CONTRACTION.search(text)]
    assert found == [], "write 'do not', 'cannot', 'is not'...:\n" + "\n".join(found)


@pytest.mark.parametrize("text, found", [
    ("I can't help", True), ("It doesn't matter", True), ("We won't", True), ("you didn't", True),
    ("I cannot help", False), ("It's fine", False), ("I'm a computer", False), ("Rhif Unigryw'r Dysgwr", False),
])
def test_the_contraction_check(text, found):
    assert bool(NEGATIVE_CONTRACTION.search(text)) == found


def test_sentences_are_25_words_at_most():
    long = [(s.label, sentence) for s in prose() for sentence in re.split(r"(?<=[.!?])\s+", s.text)
            if words(sentence) > MAX_SENTENCE_WORDS]
    assert long == [], "\n".join(f"{label}: ({words(s)} words) {s}" for label, s in long)


def test_voice_turns_are_35_words_at_most():
    long = []
    for response, option in domain_options():
        if option.get("channel") != "twilio_voice" or readability.READ_BACKS.match(response):
            continue
        for what, text in (("text", spoken_words(str(option.get("text") or ""))), ("keypad", keypad(option))):
            if words(text) > MAX_VOICE_WORDS:
                long.append(f"{response} {what}: {words(text)} words: {text}")
    assert long == [], "\n".join(long)


def test_jargon_is_explained_where_it_is_used():
    unexplained = []
    for variation in variations():
        for term, gloss in JARGON.items():
            if re.search(term, variation.text, re.IGNORECASE) and not re.search(gloss, variation.text, re.IGNORECASE):
                unexplained.append(f"{variation.response} ({variation.channel or 'text'}): {term}")
    assert unexplained == [], "\n".join(unexplained)


def test_providers_have_one_name():
    other = [f"{where}: {PROVIDER_NAMES.search(text).group(0)}" for where, text in every_user_facing_text()
             if PROVIDER_NAMES.search(text)]
    assert other == [], "say 'school, college or training provider':\n" + "\n".join(other)


def test_make_eval_prints_the_readability_figures(capsys):
    assert "-m content.readability" in (ROOT / "scripts" / "eval.sh").read_text(encoding="utf-8")
    assert readability.main(["--no-fail"]) == 0
    printed = capsys.readouterr().out
    assert "average" in printed and "maximum" in printed and "utter_" in printed

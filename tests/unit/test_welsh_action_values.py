"""The values custom actions put into Welsh responses are Welsh (issue 22), and English ones unchanged.

The words themselves: Welsh field labels, dates, "not given" / "none", the fallback's button titles
and questions (actions/intent_titles_cy.yml), spelt as Debian's aspell-cy knows them. The actions
that use them are run with real trackers in tests/actions/test_welsh_values.py.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from plr_common import welsh

from actions import wording
from actions.language import language_of
from actions.titles import TITLES_FILE, TRANSLATED_KEYS, WELSH_TITLES_FILE, titles
from testkit.nlu_files import normalise, welsh_training_examples
from tests.unit.faq_trackers import tracker_from

ROOT = Path(__file__).resolve().parents[2]
ACTIONS_DIR = ROOT / "actions"


# --- the language -------------------------------------------------------------------------

@pytest.mark.parametrize("slot,language", [("cy", "cy"), ("en", "en"), (None, "en"), ("CY", "en"), ("fr", "en")])
def test_only_a_welsh_slot_makes_a_welsh_conversation(slot, language):
    assert language_of(tracker_from([], slots={"language": slot})) == language


# --- dates ----------------------------------------------------------------------------------

def test_welsh_month_names_are_the_base_forms():
    assert welsh.MONTH_NAMES == ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
                                 "Medi", "Hydref", "Tachwedd", "Rhagfyr")


def test_a_welsh_date_reads_day_month_year_and_parses_back():
    assert welsh.long_date(date(2001, 3, 12)) == "12 Mawrth 2001"
    assert welsh.long_date(date(1999, 11, 1)) == "1 Tachwedd 1999"
    for month in range(1, 13):
        written = welsh.long_date(date(2002, month, 14))
        assert welsh.date_parts(written) == (14, month, 2002), written  # what the learner could type back


def test_read_back_dates_in_each_language():
    assert wording.long_date("2001-03-12") == "12 March 2001"
    assert wording.long_date("2001-03-12", "en") == "12 March 2001"
    assert wording.long_date("2001-03-12", "cy") == "12 Mawrth 2001"
    assert wording.long_date(None) == "not given"
    assert wording.long_date(None, "cy") == "heb ei roi"


def test_empty_read_back_lines_in_each_language():
    assert (wording.masked_uln(None), wording.masked_uln(None, "cy")) == ("not given", "heb ei roi")
    assert wording.masked_uln("1234567890", "cy") == wording.masked_uln("1234567890") == "*******890"
    assert (wording.optional_text("none"), wording.optional_text("none", "cy")) == ("none", "dim")
    assert (wording.optional_text(None), wording.optional_text(None, "cy")) == ("none", "dim")
    assert wording.optional_text("sam@example.com", "cy") == "sam@example.com"


# --- field labels ---------------------------------------------------------------------------

ENGLISH_LABELS = {  # as they were before Welsh: an English conversation must not notice
    "given_name": "first name", "family_name": "family name", "date_of_birth": "date of birth",
    "postcode": "postcode", "has_previous_name": "answer about a previous family name",
    "previous_family_name": "previous family name", "knows_uln": "answer about your ULN", "uln": "ULN",
    "contact_email": "email address", "status_reference": "reference", "status_date_of_birth": "date of birth",
}


def test_english_labels_are_unchanged_on_every_channel():
    assert wording.FIELD_LABELS == ENGLISH_LABELS
    for slot, label in ENGLISH_LABELS.items():
        assert wording.field_label(slot) == wording.field_label(slot, "en", voice=True) == label


def test_every_field_has_a_welsh_label():
    assert set(wording.FIELD_LABELS_CY) == set(wording.FIELD_LABELS)
    expected = {"given_name": "enw cyntaf", "family_name": "cyfenw", "date_of_birth": "dyddiad geni",
                "postcode": "cod post", "previous_family_name": "cyfenw blaenorol",
                "uln": "Rhif Unigryw'r Dysgwr (ULN)", "contact_email": "cyfeiriad e-bost",
                "status_reference": "cyfeirnod", "status_date_of_birth": "dyddiad geni"}
    for slot, label in expected.items():
        assert wording.field_label(slot, "cy") == label


def test_the_welsh_voice_says_the_term_without_the_abbreviation():
    assert wording.field_label("uln", "cy", voice=True) == "Rhif Unigryw'r Dysgwr"
    assert wording.field_label("knows_uln", "cy", voice=True) == "ateb am Rif Unigryw'r Dysgwr"
    assert wording.field_label("given_name", "cy", voice=True) == "enw cyntaf"


# --- the fallback's titles ------------------------------------------------------------------

def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_welsh_titles_cover_exactly_the_english_entries():
    english, cymraeg = _load(TITLES_FILE), _load(WELSH_TITLES_FILE)
    for section in ("intents", "faq"):
        assert set(cymraeg[section]) == set(english[section]), section
        for key, entry in cymraeg[section].items():
            assert set(entry) <= set(TRANSLATED_KEYS), f"{section}.{key}: only words are translated"
            assert entry["title"][0].isupper() and "_" not in entry["title"], key
            assert entry["title"] != english[section][key]["title"], f"{section}.{key} left in English"
            if section == "faq":
                assert entry.get("question"), f"faq.{key} needs a Welsh question"


def test_each_welsh_topic_question_is_a_welsh_training_example_of_that_topic():
    """The button sends the question as the learner's message: the model must answer it with the topic."""
    examples = welsh_training_examples()
    for topic, entry in _load(WELSH_TITLES_FILE)["faq"].items():
        trained = {normalise(text) for text in examples.get(f"faq/{topic}", [])}
        assert normalise(entry["question"]) in trained, topic


def test_welsh_titles_spell_the_terms_out_for_the_welsh_voice():
    for section in ("intents", "faq"):
        for key, entry in _load(WELSH_TITLES_FILE)[section].items():
            assert not re.search(r"\b(?:LRS|PLR|ULN|DfE|ICO)\b", entry["title"]), f"{section}.{key}"


def test_welsh_intent_choices_keep_the_english_payloads():
    english, cymraeg = titles(), titles("cy")
    for intent in english.intents:
        en, cy = english.intent_choice(intent), cymraeg.intent_choice(intent)
        assert (en is None) == (cy is None), intent
        if en:
            assert cy.payload == en.payload and cy.title != en.title
    assert titles("en") is english and titles("fr").topic_title("uln_find") == "Finding your ULN"


# --- spelling -------------------------------------------------------------------------------

# Standard Welsh that Debian's aspell-cy 0.50 word list lacks (as in tests/unit/test_welsh_nlu_data.py),
# and the names and acronyms a title or question keeps.
ALLOW = {"gymraeg", "preifatrwydd", "optio", "stopio", "ffeindio", "ffonio", "rhiant", "ofalwr", "gofalwyr",
         "comisiynydd", "cymryd", "gŵyn",
         "cyfeirnod",  # the official term for a request's reference (content/cy/README.md)
         "dw", "wrtha",  # "dw i", "wrtha i": learners' own wording in a topic's training question
         "lrs", "plr", "uln", "upn", "ico", "gdpr"}


def _welsh_words(texts):
    words = []
    for text in texts:
        for token in text.replace("’", "'").split():
            if any(c.isdigit() for c in token):
                continue
            words += [part for part in re.split(r"[-']", token.strip(".,?!()"))
                      if part and part.lower() not in {"r", "n", "i", "ch", "m"}]
    return words


@pytest.mark.skipif(shutil.which("aspell") is None or "cy" not in subprocess.run(
    ["aspell", "dump", "dicts"], capture_output=True, text=True).stdout.split(),
    reason="aspell-cy not installed: run scripts/install-system-packages.sh aspell")
def test_the_welsh_values_are_spelt_right():
    cymraeg = _load(WELSH_TITLES_FILE)
    texts = [value for section in ("intents", "faq") for entry in cymraeg[section].values()
             for value in entry.values()]
    texts += list(wording.FIELD_LABELS_CY.values()) + list(wording.NOT_GIVEN.values())[1:]
    texts += list(wording.NONE.values())[1:] + list(welsh.MONTH_NAMES)
    result = subprocess.run(["aspell", "--lang=cy", "--encoding=utf-8", "list"], input="\n".join(_welsh_words(texts)),
                            capture_output=True, text=True, check=True)
    unknown = sorted({w for w in result.stdout.split() if w.lower() not in ALLOW})
    assert unknown == [], f"words aspell-cy does not know (fix, or allow-list with a reason): {unknown}"


# --- no new English value slips in ---------------------------------------------------------

# Every keyword value an action passes to a response, and whether it needs a Welsh version.
# review_* and field_label are given in the conversation's language (actions/wording.py);
# the rest are codes, numbers and names, the same in both languages.
KNOWN_VALUES = {
    "review_name": "a name", "review_dob": "Welsh date", "review_postcode": "Welsh when empty",
    "review_previous_name": "Welsh when empty", "review_uln": "Welsh when empty", "review_uln_last3": "digits",
    "review_email": "Welsh when empty", "field_label": "Welsh label", "reference": "a code",
    "reference_spoken": "a code, letter by letter",
}
NOT_VALUES = {"response", "template", "buttons", "json_message", "custom", "elements", "image", "attachment"}


def _utter_message_calls():
    for path in sorted(ACTIONS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
                yield path.name, node


def test_actions_send_no_text_of_their_own():
    """A `text=` message cannot have a Welsh variation: every message is a response."""
    own = [f"{name}:{node.lineno}" for name, node in _utter_message_calls()
           if node.args or any(k.arg in ("text", "buttons", "json_message") for k in node.keywords)]
    assert own == [], own


def test_every_value_an_action_fills_in_is_known_to_be_language_safe():
    values = {k.arg for _, node in _utter_message_calls() for k in node.keywords} - NOT_VALUES
    assert values - set(KNOWN_VALUES) == set(), "a new value: give it a Welsh version and list it here"

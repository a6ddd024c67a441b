"""The language detector marks Welsh messages `language: cy`, and leaves English, names,
numbers and references alone (nlu_components/language_detector.py)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.language_detector import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector({})


def parsed(detector, text, intent="inform", entities=()):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9}, ENTITIES: list(entities)})
    detector.process([message])
    return [e for e in message.get(ENTITIES) if e["entity"] == "language"]


@pytest.mark.parametrize("text", [
    "Sut alla i weld pa gymwysterau sydd ar fy nghofnod?",
    "dwi di anghofio fy rhif dysgwr",
    "mae fy nghyfeiriad wedi newid ers i mi adael yr ysgol",
    "ydw",
    "naddo wir",
    "dwi isio stopio rhannu plis",
    "ganwyd fi ar y trydydd o Fedi dwy fil a thri",
])
def test_welsh_is_marked_welsh(detector, text):
    assert detector.language_of(text) == "cy"
    assert parsed(detector, text) == [{"entity": "language", "value": "cy", "extractor": "LanguageDetector"}]


@pytest.mark.parametrize("text", [
    "how long will my request take to go through",
    "I moved house last year and my postcode changed",
    "nah",
    "thanks",
    "lol",
    "Gwenllian Pryce",  # a name says nothing about the learner's language
    "Rhys",
    "CF24 4HQ",
    "1000000043",
    "PLR-7K3M-Q2XD",
    # References typed in lower case: their random letters once read as Welsh to lingua.
    "plr-ennp-eygh",
    "plr ennp eygh",
    "my reference is plr-wynd-dydd",
    "rhys.pryce@example.com",
    "",
    "???",
])
def test_english_names_and_numbers_are_left_alone(detector, text):
    assert detector.language_of(text) is None
    assert parsed(detector, text) == []


def test_the_choice_intents_decide_their_own_language(detector):
    assert parsed(detector, "Saesneg os gwelwch yn dda", intent="choose_english")[0]["value"] == "en"
    assert parsed(detector, "welsh pls", intent="choose_welsh")[0]["value"] == "cy"


def test_a_language_entity_is_replaced_not_repeated(detector):
    before = [{"entity": "language", "value": "en"}, {"entity": "PERSON", "value": "Sioned"}]
    message = Message(data={TEXT: "mae gen i gwestiwn am fy nghofnod", INTENT: {"name": "help"}, ENTITIES: before})
    detector.process([message])
    languages = [e["value"] for e in message.get(ENTITIES) if e["entity"] == "language"]
    assert languages == ["cy"] and any(e["entity"] == "PERSON" for e in message.get(ENTITIES))

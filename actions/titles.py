"""Readable titles for intents and FAQ topics, from actions/intent_titles.yml.

The file sits inside the actions package so the action server finds it wherever it is
deployed. A button can only offer what has a payload: an intent's own `/intent`, or for
an FAQ topic the topic's canonical question (sent as the learner's message, because
Rasa cannot route a `/faq/<topic>` payload to the ResponseSelector).

A Welsh conversation gets the titles of actions/intent_titles_cy.yml laid over the English
ones: a Welsh `title` for every intent and topic, and for a topic a Welsh `question` (one of
its Welsh training phrasings). Intent payloads are not words, so they come from the English file.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

TITLES_FILE = Path(__file__).with_name("intent_titles.yml")
WELSH_TITLES_FILE = Path(__file__).with_name("intent_titles_cy.yml")
# What a translation may change in an entry: its words, never an intent's payload.
TRANSLATED_KEYS = ("title", "question")
FAQ_INTENT = "faq"


@dataclass(frozen=True)
class Choice:
    """Something the assistant can offer as a button."""

    title: str
    payload: str


@dataclass(frozen=True)
class Titles:
    intents: Dict[str, Dict[str, str]]
    faq: Dict[str, Dict[str, str]]

    def intent_title(self, intent: str) -> str | None:
        return self.intents.get(intent, {}).get("title")

    def topic_title(self, topic: str) -> str | None:
        return self.faq.get(topic, {}).get("title")

    def intent_choice(self, intent: str) -> Choice | None:
        entry = self.intents.get(intent)
        if not entry or not entry.get("payload"):
            return None
        return Choice(entry["title"], entry["payload"])

    def topic_choice(self, topic: str) -> Choice | None:
        entry = self.faq.get(topic)
        if not entry or not entry.get("question"):
            return None
        return Choice(entry["title"], entry["question"])


def topic_of(intent_response_key: str) -> str | None:
    """`faq/uln_find` -> `uln_find`; anything else -> None."""
    prefix = f"{FAQ_INTENT}/"
    if intent_response_key and intent_response_key.startswith(prefix):
        return intent_response_key[len(prefix):]
    return None


def _read(path: Path) -> Dict[str, Dict[str, Dict[str, str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {section: dict(data.get(section) or {}) for section in ("intents", "faq")}


def _translated(english: Dict[str, Dict[str, str]], translation: Dict[str, Dict[str, str]]
                ) -> Dict[str, Dict[str, str]]:
    """Each English entry with the translated words laid over it; an entry only in the
    translation is dropped, so nothing is offered in Welsh that English does not offer."""
    laid = {}
    for key, entry in english.items():
        words = {k: v for k, v in (translation.get(key) or {}).items() if k in TRANSLATED_KEYS and v}
        laid[key] = {**entry, **words}
    return laid


def load_titles(path: Path = TITLES_FILE, translation: Path | None = None) -> Titles:
    data = _read(path)
    if translation is not None:
        other = _read(translation)
        data = {section: _translated(data[section], other[section]) for section in data}
    return Titles(intents=data["intents"], faq=data["faq"])


def titles(language: str = "en") -> Titles:
    """The titles in the conversation's language (`cy` for Welsh; anything else is English)."""
    return _titles(language == "cy")


@lru_cache(maxsize=2)
def _titles(welsh: bool) -> Titles:
    return load_titles(translation=WELSH_TITLES_FILE if welsh else None)

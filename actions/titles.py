"""Readable titles for intents and FAQ topics, from actions/intent_titles.yml.

The file sits inside the actions package so the action server finds it wherever it is
deployed. A button can only offer what has a payload: an intent's own `/intent`, or for
an FAQ topic the topic's canonical question (sent as the learner's message, because
Rasa cannot route a `/faq/<topic>` payload to the ResponseSelector).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

TITLES_FILE = Path(__file__).with_name("intent_titles.yml")
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


def load_titles(path: Path = TITLES_FILE) -> Titles:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Titles(intents=data.get("intents") or {}, faq=data.get("faq") or {})


@lru_cache(maxsize=1)
def titles() -> Titles:
    return load_titles()

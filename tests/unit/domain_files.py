"""Reads the split domain (domain/*.yml) and the project's facts copy for the unit tests."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = ROOT / "domain"
FACTS_FILE = ROOT / "docs" / "facts.yml"
ENV_EXAMPLE = ROOT / ".env.example"


@dataclass(frozen=True)
class Variation:
    response: str  # e.g. utter_faq/uln_find
    text: str
    buttons: List[Dict[str, str]]
    source: str  # the domain file, for readable failures
    channel: str | None = None


def domain_documents() -> Dict[str, dict]:
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for path in sorted(DOMAIN_DIR.glob("*.yml"))}


def variations() -> Iterator[Variation]:
    """Every variation of every response in every domain file."""
    for name, document in domain_documents().items():
        for response, options in (document.get("responses") or {}).items():
            for option in options or []:
                yield Variation(response, option.get("text") or "", option.get("buttons") or [],
                                name, option.get("channel"))


def domain_intents() -> List[str]:
    intents: List[str] = []
    for document in domain_documents().values():
        for intent in document.get("intents") or []:
            intents.append(intent if isinstance(intent, str) else next(iter(intent)))
    return intents


def faq_topics_in_domain() -> List[str]:
    prefix = "utter_faq/"
    return sorted({v.response[len(prefix):] for v in variations() if v.response.startswith(prefix)})


def facts() -> dict:
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def env_example_values() -> Dict[str, str]:
    from testkit.stack import read_env_file

    return read_env_file(ENV_EXAMPLE)

"""What a domain says the assistant can answer: response names, their texts, slots.

Used to check a conversation file against the real domain (a typo in a response name fails
at load time, not as a puzzling mismatch), and by the benchmark to recognise a reply as one
of the expected responses without asking the tracker (that would add load).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Set

import yaml

_PLACEHOLDER = re.compile(r"\{[^{}]+\}")
DEFAULT_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}
DEFAULT_ACTIONS = {"action_listen", "action_restart", "action_session_start", "action_default_fallback",
                   "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
                   "action_default_ask_rephrase", "action_two_stage_fallback", "action_back",
                   "action_unlikely_intent", "action_extract_slots"}


def _documents(domain: Path) -> List[dict]:
    paths = sorted(domain.glob("*.yml")) + sorted(domain.glob("*.yaml")) if domain.is_dir() else [domain]
    return [yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in paths]


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _template_regex(text: str) -> Pattern[str]:
    """A response text with {slot} placeholders as a regex that matches any filled-in version."""
    parts = _PLACEHOLDER.split(_normalise(text))
    return re.compile(r"(?s)" + r".*?".join(re.escape(part) for part in parts) + r"\Z")


@dataclass
class Domain:
    responses: Dict[str, List[str]] = field(default_factory=dict)
    slots: Set[str] = field(default_factory=set)
    intents: Set[str] = field(default_factory=set)
    actions: Set[str] = field(default_factory=set)
    _patterns: Dict[str, List[Pattern[str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, domain: Path) -> Domain:
        loaded = cls()
        for document in _documents(Path(domain)):
            for name, variations in (document.get("responses") or {}).items():
                texts = [v.get("text") or "" for v in variations or [] if isinstance(v, dict)]
                loaded.responses.setdefault(name, []).extend(texts)
            loaded.slots.update((document.get("slots") or {}).keys())
            loaded.actions.update(document.get("actions") or [])
            for intent in document.get("intents") or []:
                loaded.intents.add(intent if isinstance(intent, str) else next(iter(intent)))
            loaded.actions.update((document.get("forms") or {}).keys())  # a form runs as an action
        # What Rasa itself defines: slots of every form, default intents and default actions.
        loaded.slots.update({"requested_slot", "session_started_metadata"})
        loaded.intents.update(DEFAULT_INTENTS)
        loaded.actions.update(DEFAULT_ACTIONS)
        return loaded

    def knows_response(self, name: str) -> bool:
        return name in self.responses

    def patterns(self, name: str) -> List[Pattern[str]]:
        if name not in self._patterns:
            self._patterns[name] = [_template_regex(t) for t in self.responses.get(name, []) if t]
        return self._patterns[name]

    def matches(self, name: str, text: str) -> bool:
        """Is `text` one of the variations of response `name` (placeholders filled in)?"""
        text = _normalise(text)
        return any(p.match(text) for p in self.patterns(name))

    def which(self, text: str, among: Optional[Iterable[str]] = None) -> Optional[str]:
        """The name of the response this text is, if any (first match wins)."""
        for name in among if among is not None else self.responses:
            if self.matches(name, text):
                return name
        return None

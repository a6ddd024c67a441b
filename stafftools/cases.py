r"""The conversation file format (tests/conversations/*.yml), loaded and checked up front.

A file is one conversation:

    name: Opt-out, happy path            # shown in the report
    description: why this case exists    # optional
    tags: [opt_out]                      # optional, for --tag
    steps:
      - user: I want to opt out          # what the learner types (or "/affirm" for a button)
        expect:                          # optional; every key is optional
          responses: [utter_request_consent_opt_out]  # these responses, in this order, this turn
          only_responses: [...]          # exactly these responses this turn, nothing else
          not_responses: [...]           # none of these this turn
          intent: request_opt_out        # what the NLU understood
          text: [LRS team, review]       # fragments of the reply (case-insensitive)
          not_text: ["opted out"]
          text_matches: 'PLR-\w{4}-\w{4}'  # a regular expression the reply matches
          buttons: ["Yes, start"]        # button titles offered
          slots: {request_type: opt_out, given_name: null}
        save: {reference: 'PLR-\w{4}-\w{4}'}  # optional: keep what this regex finds in the reply ...
      - user: "{reference}"              # ... and use it later as {reference} in a text or a check
      - button: Yes, start               # click a button of the last reply (sends its payload)
      - backend: down                    # the backend stops answering (runner's own stack only)
      - backend: up
      - backend: "status:503"            # its next answer is this HTTP status (one call only)
      - record:                          # the request this conversation stored in the backend
          wait: 30                       # seconds to wait for it (an outbox delivers later)
          fields: {type: opt_out, given_name: Jane, status: received}
      - record: none                     # nothing was stored for this conversation

Everything is checked against the domain when the file is loaded, so a misspelt response
or slot name is reported as a broken file rather than as a failing conversation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import yaml

from stafftools.domain import Domain

EXPECT_KEYS = {"responses", "only_responses", "not_responses", "intent", "text", "not_text", "text_matches",
               "buttons", "slots"}
STEP_KINDS = {"user", "button", "backend", "record"}


class CaseError(ValueError):
    """A conversation file that cannot be run as written."""


@dataclass
class Expect:
    responses: List[str] = field(default_factory=list)
    only_responses: Optional[List[str]] = None
    not_responses: List[str] = field(default_factory=list)
    intent: Optional[str] = None
    text: List[str] = field(default_factory=list)
    not_text: List[str] = field(default_factory=list)
    text_matches: List[str] = field(default_factory=list)
    buttons: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Step:
    kind: str  # user | button | backend | record
    value: Any
    expect: Expect = field(default_factory=Expect)
    line: int = 0
    save: Dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        if self.kind == "user":
            return f"user: {self.value}"
        if self.kind == "button":
            return f"button: {self.value}"
        if self.kind == "backend":
            return f"backend: {self.value}"
        return "record: none" if self.value is None else "record"


@dataclass
class Case:
    path: Path
    name: str
    steps: List[Step]
    description: str = ""
    tags: List[str] = field(default_factory=list)

    @property
    def controls_backend(self) -> bool:
        return any(step.kind == "backend" for step in self.steps)

    @property
    def reads_backend(self) -> bool:
        return any(step.kind == "record" for step in self.steps)


def _as_list(value: Union[None, str, List[Any]], where: str) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value]
    raise CaseError(f"{where}: expected a text or a list of texts, got {type(value).__name__}")


def _expect(raw: Any, where: str, domain: Domain) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: 'expect' must be a mapping of checks")
    unknown = set(raw) - EXPECT_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown check(s) {sorted(unknown)}; known: {sorted(EXPECT_KEYS)}")
    expect = Expect(
        responses=_as_list(raw.get("responses"), f"{where} responses"),
        only_responses=_as_list(raw["only_responses"], f"{where} only_responses") if "only_responses" in raw else None,
        not_responses=_as_list(raw.get("not_responses"), f"{where} not_responses"),
        intent=raw.get("intent"),
        text=_as_list(raw.get("text"), f"{where} text"),
        not_text=_as_list(raw.get("not_text"), f"{where} not_text"),
        text_matches=_as_list(raw.get("text_matches"), f"{where} text_matches"),
        buttons=_as_list(raw.get("buttons"), f"{where} buttons"),
        slots=raw.get("slots") or {},
    )
    for name in expect.responses + (expect.only_responses or []) + expect.not_responses:
        if not domain.knows_response(name) and name not in domain.actions:
            raise CaseError(f"{where}: no response or action called {name!r} in the domain")
    if expect.intent and expect.intent not in domain.intents and "/" not in expect.intent:
        raise CaseError(f"{where}: no intent called {expect.intent!r} in the domain")
    if not isinstance(expect.slots, dict):
        raise CaseError(f"{where}: 'slots' must map slot names to values")
    for slot in expect.slots:
        if slot not in domain.slots:
            raise CaseError(f"{where}: no slot called {slot!r} in the domain")
    for pattern in expect.text_matches:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CaseError(f"{where}: text_matches {pattern!r} is not a valid regular expression: {exc}") from None
    return expect


def _step(raw: Any, index: int, path: Path, domain: Domain) -> Step:
    where = f"{path.name} step {index}"
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: a step is a mapping such as 'user: hello'")
    kinds = STEP_KINDS & set(raw)
    if len(kinds) != 1:
        raise CaseError(f"{where}: a step has exactly one of {sorted(STEP_KINDS)}, got {sorted(kinds) or 'none'}")
    kind = kinds.pop()
    extra = set(raw) - {kind, "expect", "save"}
    if extra:
        raise CaseError(f"{where}: unknown key(s) {sorted(extra)}")
    save = raw.get("save") or {}
    if save and (kind not in ("user", "button") or not isinstance(save, dict)):
        raise CaseError(f"{where}: 'save' maps names to regular expressions, on a user or button step")
    for name, pattern in save.items():
        if not re.fullmatch(r"\w+", str(name)):
            raise CaseError(f"{where}: save name {name!r} must be letters, digits or _")
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise CaseError(f"{where}: save {name}: {pattern!r} is not a valid regular expression: {exc}") from None
    value = raw[kind]
    if kind in ("user", "button"):
        if value is None or (isinstance(value, str) and not value.strip()):
            raise CaseError(f"{where}: '{kind}' needs a text")
        value = str(value)
    elif kind == "backend":
        if value not in ("up", "down") and not re.fullmatch(r"status:[1-5]\d\d", str(value)):
            raise CaseError(f"{where}: 'backend' is 'up', 'down' or 'status:<code>' (e.g. status:503)")
        if "expect" in raw:
            raise CaseError(f"{where}: a backend step has nothing to expect")
    elif kind == "record":
        if value in ("none", None, False):
            value = None
        elif isinstance(value, dict) and set(value) <= {"wait", "fields"}:
            value = {"wait": float(value.get("wait", 0)), "fields": dict(value.get("fields") or {})}
        else:
            raise CaseError(f"{where}: 'record' is 'none' or a mapping with 'fields' (and optional 'wait')")
        if "expect" in raw:
            raise CaseError(f"{where}: a record step checks 'fields', not 'expect'")
    return Step(kind, value, _expect(raw.get("expect"), where, domain), index,
                {str(k): str(v) for k, v in save.items()})


def load_case(path: Path, domain: Domain) -> Case:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CaseError(f"{path.name}: expected a mapping with 'name' and 'steps'")
    unknown = set(raw) - {"name", "description", "tags", "steps"}
    if unknown:
        raise CaseError(f"{path.name}: unknown key(s) {sorted(unknown)}")
    steps = raw.get("steps")
    if not raw.get("name") or not isinstance(steps, list) or not steps:
        raise CaseError(f"{path.name}: needs a 'name' and a non-empty list of 'steps'")
    parsed = [_step(step, i, path, domain) for i, step in enumerate(steps, 1)]
    if not any(step.kind in ("user", "button") for step in parsed):
        raise CaseError(f"{path.name}: a conversation needs at least one 'user' step")
    if parsed[0].kind == "button":
        raise CaseError(f"{path.name}: the first step cannot click a button: nothing has been offered yet")
    return Case(path, str(raw["name"]), parsed, str(raw.get("description") or ""),
                [str(t) for t in raw.get("tags") or []])


def load_cases(folder: Path, domain: Domain) -> tuple[List[Case], List[str]]:
    """Every *.yml in the folder, sorted; broken files are returned as errors, not raised."""
    cases, errors = [], []
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        try:
            cases.append(load_case(path, domain))
        except CaseError as exc:
            errors.append(str(exc))
    return cases, errors

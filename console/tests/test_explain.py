"""Why the assistant answered: a tracker's events become turns; a conversation becomes a test
case that the staff's own runner (stafftools/cases.py) loads without complaint."""
from __future__ import annotations

import subprocess
import sys

import yaml

from conftest import ROOT
from plr_console.explain import as_test_case, turns

TRACKER = {"events": [
    {"event": "action", "name": "action_session_start", "policy": None, "confidence": 1.0},
    {"event": "user", "text": "I want to opt out", "parse_data": {
        "intent": {"name": "request_opt_out", "confidence": 0.97},
        "intent_ranking": [{"name": "request_opt_out", "confidence": 0.97},
                           {"name": "request_opt_in", "confidence": 0.02}, {"name": "faq", "confidence": 0.01}],
        "entities": []}},
    {"event": "slot", "name": "given_name", "value": None},
    {"event": "slot", "name": "request_type", "value": "opt_out"},
    {"event": "action", "name": "utter_request_consent_opt_out", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "Shall we start?", "metadata": {"utter_action": "utter_request_consent_opt_out"},
     "data": {"buttons": [{"title": "Yes, start", "payload": "/affirm"},
                          {"title": "No, not now", "payload": "/deny"}]}},
    {"event": "action", "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "user", "text": "/affirm",
     "parse_data": {"intent": {"name": "affirm", "confidence": 1.0}, "intent_ranking": [], "entities": []}},
    {"event": "action", "name": "request_form", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "What is your given name?", "metadata": {"utter_action": "utter_ask_given_name"}},
    {"event": "user", "text": "Jane", "parse_data": {"intent": {"name": "inform", "confidence": 0.8},
                                                   "entities": [{"entity": "given_name", "value": "Jane",
                                                                 "extractor": "RegexEntityExtractor"}]}},
    {"event": "slot", "name": "given_name", "value": "Jane"},
    {"event": "action", "name": "request_form", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "And your family name?", "metadata": {"utter_action": "utter_ask_family_name"}},
]}


def test_turns_explain_each_message():
    found = turns(TRACKER)
    assert [t.text for t in found] == ["I want to opt out", "/affirm", "Jane"]
    first = found[0]
    assert (first.intent, first.confidence) == ("request_opt_out", 0.97)
    assert first.alternatives == [("request_opt_in", 0.02), ("faq", 0.01)]
    assert first.slots == [("request_type", "opt_out")] and first.emptied == ["given_name"]
    assert first.actions == [{"name": "utter_request_consent_opt_out", "policy": "RulePolicy", "confidence": 1.0}]
    assert first.responses == ["utter_request_consent_opt_out"]
    assert found[1].button_title == "Yes, start"
    assert found[2].entities == [{"entity": "given_name", "value": "Jane", "extractor": "RegexEntityExtractor"}]


def test_test_case_replays_messages_and_buttons():
    case = yaml.safe_load(as_test_case("console-admin-1234", turns(TRACKER)))
    assert case["steps"][0] == {"user": "I want to opt out", "expect": {
        "intent": "request_opt_out", "responses": ["utter_request_consent_opt_out"]}}
    assert case["steps"][1] == {"button": "Yes, start", "expect": {"responses": ["utter_ask_given_name"]}}
    assert case["steps"][2]["user"] == "Jane"


def test_the_staff_runner_accepts_the_saved_case(tmp_path):
    (tmp_path / "90_saved.yml").write_text(as_test_case("console-admin-1234", turns(TRACKER)))
    check = (
        "import sys; from pathlib import Path;"
        "from stafftools.cases import load_cases; from stafftools.domain import Domain;"
        f"cases, broken = load_cases(Path({str(tmp_path)!r}), Domain.load(Path('domain')));"
        "print(len(cases), broken); sys.exit(1 if broken or len(cases) != 1 else 0)"
    )
    python = ROOT / ".venv" / "bin" / "python"
    result = subprocess.run([str(python if python.exists() else sys.executable), "-c", check], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr

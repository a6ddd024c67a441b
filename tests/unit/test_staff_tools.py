"""The staff tools' own logic: conversation files, turn checks, redaction of exported
stories, reply matching and percentiles of the benchmark. Pure functions, no services."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.personal import PERSONAL_SLOTS
from stafftools.benchmd import verdicts
from stafftools.cases import CaseError, Expect, load_case, load_cases
from stafftools.checks import Turn, check_record, check_turn, turn_from_tracker
from stafftools.domain import Domain
from stafftools.loadgen import check_reply
from stafftools.redact import Redactor, redact_story
from stafftools.stats import percentile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain")


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "case.yml"
    path.write_text(yaml.safe_dump(document))
    return path


# --- the shipped conversations ------------------------------------------------------------
def test_every_shipped_conversation_loads_against_the_domain(domain):
    cases, broken = load_cases(ROOT / "tests" / "conversations", domain)
    assert broken == []
    assert len(cases) >= 30


def test_shipped_conversations_cover_every_flow_and_failure_path(domain):
    cases, _ = load_cases(ROOT / "tests" / "conversations", domain)
    tags = {tag for case in cases for tag in case.tags}
    assert {"opt_out", "opt_in", "status", "faq", "correction", "cancel", "digression", "validation", "uln",
            "backend_down", "voice", "fallback", "helpdesk", "submission"} <= tags
    assert any(step.kind == "backend" and step.value == "down" for case in cases for step in case.steps)
    assert any(step.kind == "record" and step.value and step.value["wait"] for case in cases for step in case.steps)


# --- the file format ----------------------------------------------------------------------
@pytest.mark.parametrize("steps, message", [
    ([{"user": "hi", "expect": {"responses": ["utter_no_such_thing"]}}], "no response or action"),
    ([{"user": "hi", "expect": {"slots": {"no_such_slot": 1}}}], "no slot called"),
    ([{"user": "hi", "expect": {"intent": "no_such_intent"}}], "no intent called"),
    ([{"user": "hi", "expect": {"txt": "hello"}}], "unknown check"),
    ([{"user": "hi", "button": "Yes"}], "exactly one of"),
    ([{"button": "Yes"}], "first step cannot click"),
    ([{"backend": "sideways"}, {"user": "hi"}], "'backend' is"),
    ([{"user": "hi"}, {"record": "maybe"}], "'record' is"),
    ([{"user": "hi", "expect": {"text_matches": "("}}], "not a valid regular expression"),
    ([{"user": ""}], "needs a text"),
])
def test_broken_files_are_refused_with_a_reason(tmp_path, domain, steps, message):
    with pytest.raises(CaseError, match=message):
        load_case(write(tmp_path, {"name": "x", "steps": steps}), domain)


def test_a_valid_file_is_parsed(tmp_path, domain):
    case = load_case(write(tmp_path, {"name": "ok", "tags": ["t"], "steps": [
        {"user": "opt out", "expect": {"responses": "utter_request_consent_opt_out", "text": "LRS team"}},
        {"button": "Yes, start", "save": {"ref": "PLR-\\w+"}},
        {"backend": "status:503"},
        {"record": {"wait": 5, "fields": {"type": "opt_out"}}},
    ]}), domain)
    assert [s.kind for s in case.steps] == ["user", "button", "backend", "record"]
    assert case.steps[0].expect.responses == ["utter_request_consent_opt_out"]
    assert case.steps[0].expect.text == ["LRS team"]
    assert case.controls_backend and case.reads_backend
    assert case.steps[3].value == {"wait": 5.0, "fields": {"type": "opt_out"}}


# --- checking a turn ----------------------------------------------------------------------
def test_an_empty_reply_is_a_failure_even_with_no_checks():
    assert check_turn(Turn("hi", [], 0.1, [], [], "greet", {}), Expect(), set())


def test_response_order_slots_and_text_are_checked():
    turn = Turn("x", [{"text": "Hello there", "buttons": [{"title": "Yes", "payload": "/affirm"}]}], 0.1,
                responses=["utter_a", "utter_b"], actions=["action_x"], intent="greet", slots={"s": "v"})
    assert check_turn(turn, Expect(responses=["utter_a", "utter_b"], slots={"s": "v"}, text=["hello"],
                                   buttons=["Yes"], intent="greet"), {"action_x"}) == []
    assert check_turn(turn, Expect(responses=["action_x"]), {"action_x"}) == []
    failures = check_turn(turn, Expect(responses=["utter_b", "utter_a"], slots={"s": None}, not_text=["there"],
                                       buttons=["No"], intent="bye", only_responses=["utter_a"]), set())
    assert len(failures) == 6


def test_checks_that_need_the_tracker_say_so():
    turn = Turn("x", [{"text": "hi"}], 0.1)
    assert "needs the tracker" in check_turn(turn, Expect(responses=["utter_a"]), set())[0]


def test_turn_from_tracker_reads_only_the_latest_turn():
    # latest_message is deliberately stale: Rasa's API can return an older message there.
    tracker = {"latest_message": {"intent": {"name": "greet"}}, "slots": {"a": 1}, "events": [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "bot", "metadata": {"utter_action": "utter_old"}},
        {"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "action", "name": "sharing_request_form"},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_given_name"}},
        {"event": "action", "name": "action_listen"}]}
    seen = turn_from_tracker(tracker)
    assert seen == {"responses": ["utter_ask_given_name"], "actions": ["sharing_request_form"], "intent": "affirm",
                    "slots": {"a": 1}}


def test_record_checks():
    assert check_record([], None) == []
    assert check_record([{"type": "opt_out"}], None)
    assert check_record([{"type": "opt_out", "uln": None}], {"type": "opt_out", "uln": None}) == []
    assert check_record([{"type": "opt_in"}], {"type": "opt_out"}) == ["stored type is 'opt_in', expected 'opt_out'"]
    assert check_record([{}, {}], {"type": "opt_out"})  # a duplicate is a failure


# --- recognising replies in the benchmark -----------------------------------------------------
def test_a_reply_is_matched_to_its_response_with_placeholders_filled(domain):
    submitted = [t for t in domain.responses["utter_request_submitted_opt_out"]][0]
    text = submitted.replace("{reference}", "PLR-ABCD-1234")
    assert domain.matches("utter_request_submitted_opt_out", text)
    assert not domain.matches("utter_request_submitted_opt_in", text)
    assert check_reply([{"text": text}], ("utter_request_submitted_opt_out",), domain) == ""
    assert check_reply([], ("utter_greet",), domain) == "empty reply"
    assert check_reply([{"text": "something else"}], ("utter_greet",), domain) == \
        "expected ['utter_greet'], got [\"'something else'\"]"
    assert check_reply([{"text": text}, {"text": text}], ("utter_request_submitted_opt_out",), domain)


def test_percentiles_interpolate_like_numpy():
    import numpy

    values = [0.3, 0.1, 0.25, 0.9, 0.5, 0.12, 0.7]
    for q in (50, 95, 99):
        assert percentile(values, q) == pytest.approx(numpy.percentile(values, q))


def test_bench_verdicts():
    bench = {"assistant": [{"users": 10, "p50_ms": 100, "p95_ms": 250, "p99_ms": 400, "rps": 11.5, "errors": 0}],
             "reference": [{"users": 10, "p50_ms": 50, "p95_ms": 90, "p99_ms": 99, "rps": 10.0, "errors": 0}],
             "long_conversation": {"first_p50_ms": 100, "last_p50_ms": 160}, "rasa_rss_mb": 1200,
             "train_seconds": 300, "cold_start_seconds": 16}
    met = {v["target"].split(" ")[0]: v["met"] for v in verdicts(bench)}
    assert met == {"p95": True, "throughput": True, "zero": True, "Rasa": True, "long": False, "cold": False}
    # Just under the bars: 1.08x the reference bot, 1310 MB, p95 310 ms.
    bench["assistant"][0].update(rps=10.8, p95_ms=310)
    bench.update(rasa_rss_mb=1310, cold_start_seconds=14.9)
    met = {v["target"].split(" ")[0]: v["met"] for v in verdicts(bench)}
    assert met == {"p95": False, "throughput": False, "zero": True, "Rasa": False, "long": False, "cold": True}


# --- exported stories carry no personal data -----------------------------------------------
def test_export_replaces_every_personal_detail():
    events = [
        {"event": "user", "text": "I want to opt out"},
        {"event": "slot", "name": "requested_slot", "value": "given_name"},
        {"event": "user", "text": "I'm Zara Quinton, born 3/4/2001, postcode SW1A 2AA"},
        {"event": "slot", "name": "given_name", "value": "Zara"},
        {"event": "slot", "name": "family_name", "value": "Quinton"},
        {"event": "slot", "name": "date_of_birth", "value": "2001-04-03"},
        {"event": "slot", "name": "postcode", "value": "SW1A 2AA"},
        {"event": "slot", "name": "requested_slot", "value": "uln"},
        {"event": "user", "text": "one seven four eight five two nine six three two"},
        {"event": "slot", "name": "uln", "value": "1748529632"},
        {"event": "slot", "name": "requested_slot", "value": "contact_email"},
        {"event": "user", "text": "zara.q@example.net"},
        {"event": "slot", "name": "contact_email", "value": "zara.q@example.net"},
    ]
    story = {"stories": [{"story": "x", "steps": [
        {"user": "I want to opt out", "intent": "request_opt_out"},
        {"user": "I'm [Zara Quinton](PERSON), born [3/4/2001](DATE), postcode SW1A 2AA", "intent": "inform"},
        {"slot_was_set": [{"given_name": "Zara"}, {"family_name": "Quinton"}, {"date_of_birth": "2001-04-03"},
                          {"postcode": "SW1A 2AA"}]},
        {"user": "one seven four eight five two nine six three two", "intent": "inform"},
        {"slot_was_set": [{"uln": "1748529632"}]},
        {"user": "zara.q@example.net", "intent": "inform"},
        {"slot_was_set": [{"contact_email": "zara.q@example.net"}]},
    ]}]}
    out = yaml.safe_dump(redact_story(story, events, Redactor(PERSONAL_SLOTS)))
    for personal in ("Zara", "Quinton", "3/4/2001", "2001-04-03", "SW1A 2AA", "1748529632", "one seven four",
                     "zara.q@example.net"):
        assert personal not in out, personal
    assert "I want to opt out" in out  # what is not personal stays as it was
    assert "[Alex Example](PERSON)" in out  # entity annotations keep their shape

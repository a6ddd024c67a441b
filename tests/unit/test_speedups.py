"""Changes that keep Rasa's cost per message down (figures in `make bench`): the in-memory
tracker store keeps a conversation's history bounded (stores/history.py) and reads and writes it
with ujson (stores/tracker_store.py), and each JSON schema is checked once
(speedups/jsonschema_once.py)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import jsonschema_once
from stores.configured import ConfiguredTrackerStore
from stores.history import compact

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def questions_then_form(turns: int):
    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for i in range(turns):
        events += [UserUttered(f"question {i}", {"name": "faq"}), ActionExecuted("utter_faq"), BotUttered("answer"),
                   ActionExecuted("action_listen")]
    events += [UserUttered("opt out", {"name": "request_opt_out"}), ActionExecuted("action_start_request"),
               SlotSet("request_type", "opt_out"), ActionExecuted("action_listen"),
               UserUttered("yes", {"name": "affirm"}), ActionExecuted("sharing_request_form"),
               ActiveLoop("sharing_request_form"), SlotSet("requested_slot", "given_name"),
               ActionExecuted("action_listen"), UserUttered("Jane", {"name": "inform"}),
               ActionExecuted("sharing_request_form"), SlotSet("given_name", "Jane"),
               SlotSet("requested_slot", "family_name"), ActionExecuted("action_listen")]
    return events


def test_compaction_keeps_recent_turns_slots_and_the_open_form(domain):
    tracker = DialogueStateTracker.from_events("c", questions_then_form(30), slots=domain.slots)
    short = compact(tracker, domain.slots, keep_turns=2)
    assert short is not None and len(short.events) < len(tracker.events) / 3
    assert [e.text for e in short.events if isinstance(e, UserUttered)] == ["yes", "Jane"]
    assert short.active_loop_name == "sharing_request_form"
    for slot in ("request_type", "given_name", "requested_slot"):
        assert short.get_slot(slot) == tracker.get_slot(slot), slot
    assert short.past_states(domain)[-3:] == tracker.past_states(domain)[-3:]
    assert compact(tracker, domain.slots, keep_turns=100) is None  # nothing to drop


def test_the_configured_memory_store_bounds_a_long_conversation(domain, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE", "memory")
    # The settings as endpoints.yml gives them.
    store = ConfiguredTrackerStore(domain=domain, max_events=150, keep_turns=8)
    short_one = DialogueStateTracker.from_events("short", questions_then_form(5), slots=domain.slots)
    long_one = DialogueStateTracker.from_events("long", questions_then_form(60), slots=domain.slots)

    async def round_trip(tracker):
        await store.save(tracker)
        return await store.retrieve(tracker.sender_id)

    kept = asyncio.run(round_trip(short_one))
    assert len(kept.events) == len(short_one.events), "a short conversation is left whole"
    bounded = asyncio.run(round_trip(long_one))
    assert len(long_one.events) > 150 >= len(bounded.events)
    assert len([e for e in bounded.events if isinstance(e, UserUttered)]) == 8
    assert bounded.active_loop_name == "sharing_request_form"
    assert bounded.get_slot("given_name") == "Jane" and bounded.get_slot("request_type") == "opt_out"


def test_rasa_servers_check_each_schema_once():
    import channels.health  # noqa: F401  (what every Rasa server loads, through credentials.yml)

    assert jsonschema.validate is jsonschema_once.validate


def test_cached_jsonschema_validate_behaves_like_the_original():
    spec = RemoteAction.action_response_format_spec()
    good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"response": "utter_x"}]}
    bad = {"events": "not a list", "responses": []}
    for _ in range(2):  # the second call uses the cached validator
        assert jsonschema_once.validate(good, spec) is None
        with pytest.raises(jsonschema.ValidationError) as cached:
            jsonschema_once.validate(bad, spec)
        with pytest.raises(jsonschema.ValidationError) as original:
            jsonschema_once._original(bad, spec)
        assert cached.value.message == original.value.message
    with pytest.raises(jsonschema.SchemaError):  # a broken schema is still refused
        jsonschema_once.validate({}, {"type": 12})


def test_the_ujson_memory_store_gives_back_what_rasas_store_does(domain):
    from rasa.core.tracker_store import InMemoryTrackerStore

    from stores.tracker_store import UjsonInMemoryTrackerStore

    events = questions_then_form(6) + [
        UserUttered("my name is Zoë O'Test / Testperson \u2028", {"name": "inform", "confidence": 0.1 + 0.2},
                    [{"entity": "PERSON", "value": "Zoë", "start": 11, "end": 14}]),
        SlotSet("given_name", "Zoë"), BotUttered("Thanks, Zoë.", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
    ]
    tracker = DialogueStateTracker.from_events("synthetic-ujson", events, slots=domain.slots)

    async def round_trip(store):
        await store.save(tracker)
        return store.store[tracker.sender_id], await store.retrieve(tracker.sender_id)

    fast_text, fast = asyncio.run(round_trip(UjsonInMemoryTrackerStore(domain)))
    rasa_text, rasa = asyncio.run(round_trip(InMemoryTrackerStore(domain)))
    assert fast_text != rasa_text and json.loads(fast_text) == json.loads(rasa_text)
    assert list(fast.events) == list(rasa.events) == list(tracker.events)
    assert fast.current_slot_values() == rasa.current_slot_values()
    assert fast.latest_message.parse_data == rasa.latest_message.parse_data

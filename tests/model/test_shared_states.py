"""speedups/shared_states.py gives Rasa's own dialogue states: for every argument combination at
every step of the test and training stories (and the same stories off script), with the cache
cold and warm, after the caller changed what it got, and after the tracker got one event more;
and every policy's prediction is the same with it as without it."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import shared_states
from tests.model.graph_parts import component, situations


@pytest.fixture(scope="module")
def agent(trained_model):
    return Agent.load(str(trained_model))


@pytest.fixture
def installed():
    before = Domain.states_for_tracker_history
    shared_states.install()
    try:
        yield
    finally:
        Domain.states_for_tracker_history = before
        shared_states._entries.clear()


def argument_sets(agent):
    rule_only = component(agent, "rule_only_data_provider").provide()
    assert rule_only["rule_only_loops"], "the model should have a rule-only loop to filter"
    return [dict(omit_unset_slots=omit, ignore_rule_only_turns=ignore, rule_only_data=data)
            for omit, ignore, data in itertools.product((False, True), (False, True), (None, rule_only))]


def test_states_are_rasas_own(agent, installed):
    domain = agent.domain
    arguments = argument_sets(agent)
    steps = 0
    for sender, events in situations(agent):
        tracker = DialogueStateTracker.from_events(sender, events, slots=domain.slots)
        expected = [shared_states._original(domain, tracker, **kwargs) for kwargs in arguments]
        for _ in range(2):  # cold, then from the cache
            for kwargs, rasas in zip(arguments, expected):
                assert domain.states_for_tracker_history(tracker, **kwargs) == rasas, (sender, kwargs)
        # What a caller does to its states must not reach the next caller.
        for state in domain.states_for_tracker_history(tracker, **arguments[0]):
            for sub_state in state.values():
                sub_state.clear()
            state.clear()
        assert domain.states_for_tracker_history(tracker, **arguments[0]) == expected[0], sender
        # One event more: replayed again, not read from the cache.
        tracker.update(ActionExecuted("action_listen"))
        for kwargs in arguments:
            assert domain.states_for_tracker_history(tracker, **kwargs) \
                == shared_states._original(domain, tracker, **kwargs), (sender, kwargs)
        steps += 1
    assert steps > 1000, steps


def test_a_slot_set_after_the_cache_was_filled_is_seen(agent, installed):
    domain = agent.domain
    slot = next(s.name for s in domain.slots if s.influence_conversation and s.type_name in ("text", "bool"))
    tracker = DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen")], slots=domain.slots)
    before = domain.states_for_tracker_history(tracker)
    tracker.update(SlotSet(slot, True))
    tracker.update(ActionExecuted("action_listen"))
    after = domain.states_for_tracker_history(tracker)
    assert after == shared_states._original(domain, tracker)
    assert after != before


def test_predictions_are_rasas_own(agent):
    processor = agent.processor
    target = processor.model_metadata.core_target
    every_node = list(processor.graph_runner._graph_schema.minimal_graph_schema([target]).nodes)
    before = Domain.states_for_tracker_history
    checked = 0
    try:
        for sender, events in itertools.islice(situations(agent), 0, None, 3):
            outputs = []
            for shared in (False, True):
                Domain.states_for_tracker_history = (shared_states.states_for_tracker_history if shared
                                                     else shared_states._original)
                tracker = DialogueStateTracker.from_events(sender, events, slots=agent.domain.slots)
                outputs.append(processor.graph_runner.run(inputs={"__tracker__": tracker}, targets=every_node))
            plain, shared = outputs
            predictions = [name for name, value in plain.items() if hasattr(value, "probabilities")]
            assert len(predictions) >= 4, predictions
            for name in predictions:
                a, b = plain[name], shared[name]
                assert (np.array_equal(a.probabilities, b.probabilities), a.policy_name,
                        [str(e) for e in a.events]) == (True, b.policy_name, [str(e) for e in b.events]), \
                    (sender, name)
            checked += 1
    finally:
        Domain.states_for_tracker_history = before
        shared_states._entries.clear()
    assert checked > 300, checked

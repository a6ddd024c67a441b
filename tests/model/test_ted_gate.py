"""speedups/ted_gate.py skips TED only where TED cannot win: with it, the shipped model predicts
exactly what Rasa's own graph predicts (action, confidence, policy, events) at every step of every
test story and training story, and TED is really skipped at most steps and still run at others."""
from __future__ import annotations

from typing import Iterator, List, Tuple

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import ted_gate
from tests.model.graph_parts import component, story_trackers


@pytest.fixture(scope="module")
def agents(trained_model):
    loaded = {}
    for gated in (False, True):
        (ted_gate.install if gated else ted_gate.uninstall)()
        try:
            loaded[gated] = Agent.load(str(trained_model))
        finally:
            ted_gate.uninstall()
    return loaded


def situations(agent: Agent) -> Iterator[Tuple[str, List[Event]]]:
    """Every point of every story where an action is predicted, and the same stories gone off
    script: each user turn replaced by other intents, where no rule or story may be certain."""
    intents = sorted(agent.domain.intents)
    for tracker in story_trackers(agent):
        events = list(tracker.events)
        for index, event in enumerate(events):
            if isinstance(event, ActionExecuted) and index > 0:
                yield f"{tracker.sender_id}@{index}", events[:index]
            if isinstance(event, UserUttered) and event.intent_name in intents:
                at = intents.index(event.intent_name)
                for shift in (1, 7):
                    other = intents[(at + shift) % len(intents)]
                    yield (f"{tracker.sender_id}@{index}:{other}",
                           events[:index] + [UserUttered(event.text, {"name": other, "confidence": 1.0})])


def outcome(agent: Agent, sender: str, events: List[Event]) -> tuple:
    # a fresh tracker for each agent: a prediction may consume a follow-up action
    tracker = DialogueStateTracker.from_events(sender, events, slots=agent.domain.slots)
    prediction = agent.processor._predict_next_with_tracker(tracker)
    return (prediction.policy_name, prediction.max_confidence_index, round(prediction.max_confidence, 6),
            prediction.is_no_user_prediction, [str(event) for event in prediction.events])


def test_the_gate_changes_no_prediction_of_any_story(agents, monkeypatch):
    calls = {"skipped": 0, "run": 0}
    decide = ted_gate.decided_without

    def counting(*args):
        decided = decide(*args)
        calls["skipped" if decided else "run"] += 1
        return decided

    monkeypatch.setattr(ted_gate, "decided_without", counting)
    plain, gated = agents[False], agents[True]
    assert gated.processor.graph_runner._graph_schema.nodes != plain.processor.graph_runner._graph_schema.nodes
    steps = 0
    for sender, events in situations(plain):
        assert outcome(plain, sender, events) == outcome(gated, sender, events), sender
        steps += 1
    assert steps > 1000, steps
    # the gate did its work, and TED still decided where no rule or story was certain
    assert calls["skipped"] > calls["run"] > 10, calls


def test_ted_runs_after_a_rejected_action(agents):
    ted = component(agents[True], "TEDPolicy")
    certain = PolicyPrediction([0.0, 1.0], "RulePolicy", policy_priority=6)
    listened = [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("gate", listened)
    assert ted_gate.decided_without(ted, tracker, {"rule": certain})
    tracker = DialogueStateTracker.from_events("gate", listened + [ActionExecutionRejected("utter_greet")])
    assert not ted_gate.decided_without(ted, tracker, {"rule": certain})
    unsure = PolicyPrediction([0.3, 0.7], "RulePolicy", policy_priority=6)
    assert not ted_gate.decided_without(ted, DialogueStateTracker.from_events("gate", listened), {"rule": unsure})
    lower = PolicyPrediction([0.0, 1.0], "SomePolicy", policy_priority=0)
    assert not ted_gate.decided_without(ted, DialogueStateTracker.from_events("gate", listened), {"other": lower})

"""speedups/ted_gate.py skips TED only where TED cannot win: with it, the shipped model predicts
exactly what Rasa's own graph predicts (action, confidence, policy, events) at every step of every
test story and training story, and TED is really skipped at most steps and still run at others."""
from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import ted_gate
from tests.model.graph_parts import component, outcome, situations


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

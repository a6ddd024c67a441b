"""speedups/tf_direct_call.py calls the same traced graphs as Rasa: every parse of the NLU test
set (intent ranking, response selection, entities) and TED's predictions over the test stories
are identical with and without it, and the direct call is really the one used."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import tf_direct_call
from tests.conftest import run
from tests.model.graph_parts import component, story_trackers
from tests.unit.nlu_files import heldout_examples


@contextmanager
def direct(enabled: bool):
    (tf_direct_call.install if enabled else tf_direct_call.uninstall)()
    try:
        yield
    finally:
        tf_direct_call.uninstall()


@pytest.fixture(scope="module")
def agents(trained_model):
    return {enabled: Agent.load(str(trained_model)) for enabled in (False, True)}


def models(agent):
    return {name: node._component.model for name, node in agent.processor.graph_runner._instantiated_nodes.items()
            if getattr(node._component, "model", None) is not None}


def test_parses_are_identical(agents):
    texts = sorted({text for examples in heldout_examples().values() for text in examples})
    assert len(texts) > 100
    parses = {}
    for enabled, agent in agents.items():
        with direct(enabled):
            parses[enabled] = [run(agent.parse_message(text)) for text in texts]
    for plain, fast in zip(parses[False], parses[True]):
        assert fast == plain, plain["text"]
    used = [type(m._tf_predict_step).__name__ for m in models(agents[True]).values() if m._tf_predict_step]
    assert used.count("DirectCall") >= 2, used  # DIET and the ResponseSelector
    assert not any(isinstance(m._tf_predict_step, tf_direct_call.DirectCall) for m in models(agents[False]).values())


def test_ted_predictions_are_identical(agents):
    teds = {enabled: component(agent, "TEDPolicy") for enabled, agent in agents.items()}
    compared = 0
    for tracker in story_trackers(agents[False], with_training_stories=False):
        events = list(tracker.events)
        for index, event in enumerate(events):
            if not isinstance(event, ActionExecuted) or index == 0:
                continue
            results = {}
            for enabled, agent in agents.items():
                with direct(enabled):
                    prefix = DialogueStateTracker.from_events("s", events[:index], slots=agent.domain.slots)
                    results[enabled] = teds[enabled].predict_action_probabilities(prefix, agent.domain)
            assert np.array_equal(results[True].probabilities, results[False].probabilities), (index, event)
            compared += 1
    assert compared > 100, compared
    assert isinstance(teds[True].model._tf_predict_step, tf_direct_call.DirectCall)

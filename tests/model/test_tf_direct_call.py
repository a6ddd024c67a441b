"""speedups/tf_direct_call.py calls the same traced graph as Rasa: TED's predictions over the test
stories are identical with and without it, and the direct (flat) call is really the one used.
The NLU runs no TensorFlow graph (its classifiers are NumPy), so TED is the one model it serves."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import tf_direct_call
from tests.model.graph_parts import component, story_trackers


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


def test_inputs_the_signature_does_not_fix_go_to_tensorflows_own_matching(agents):
    agent = agents[True]
    ted = component(agent, "TEDPolicy")
    with direct(True):
        tracker = DialogueStateTracker.from_events("s", [ActionExecuted("action_listen")], slots=agent.domain.slots)
        ted.predict_action_probabilities(tracker, agent.domain)
    call = ted.model._tf_predict_step
    assert isinstance(call, tf_direct_call.DirectCall)
    batch = [np.zeros((1,) * rank if last is None else (1,) * (rank - 1) + (last,), dtype=dtype)
             for dtype, rank, last in call.expected]
    assert call.accepts(tuple(batch))
    assert not call.accepts(tuple(batch[:-1]))  # one array short
    wrong_dtype = [batch[0].astype(np.float16 if batch[0].dtype != np.float16 else np.float32)] + batch[1:]
    assert not call.accepts(tuple(wrong_dtype))
    assert not call.accepts(tuple([batch[0].tolist()] + batch[1:]))  # not an array
    if any(last is not None for _, _, last in call.expected):
        at = next(i for i, (_, _, last) in enumerate(call.expected) if last is not None)
        wider = list(batch)
        wider[at] = np.zeros(batch[at].shape[:-1] + (batch[at].shape[-1] + 1,), dtype=batch[at].dtype)
        assert not call.accepts(tuple(wider))
        with pytest.raises((TypeError, ValueError)):
            call(tuple(wider))  # TensorFlow's own error, as without the direct call

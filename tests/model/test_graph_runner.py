"""speedups/graph_runner.py runs Rasa's graph without dask and gives the same results: every
parse of the NLU test set, and every prediction (all of TED's, the rules' and the stories'
probabilities, the winner and its events) at every step of the test and training stories, and of
those stories gone off script. Inputs that clash with a node still get Rasa's own handling."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker

from speedups import graph_runner
from testkit.nlu_files import heldout_examples
from tests.conftest import run
from tests.model.graph_parts import situations


@contextmanager
def runner(planned: bool):
    before = DaskGraphRunner.run
    DaskGraphRunner.run = graph_runner.run if planned else graph_runner._original_run
    try:
        yield
    finally:
        DaskGraphRunner.run = before


@pytest.fixture(scope="module")
def agent(trained_model):
    return Agent.load(str(trained_model))


def test_parses_are_identical(agent):
    texts = sorted({text for examples in heldout_examples().values() for text in examples})
    assert len(texts) > 300
    for text in texts:
        with runner(False):
            plain = run(agent.parse_message(text))
        with runner(True):
            planned = run(agent.parse_message(text))
        assert planned == plain, text


def test_predictions_are_identical(agent):
    processor = agent.processor
    target = processor.model_metadata.core_target
    every_node = list(processor.graph_runner._graph_schema.minimal_graph_schema([target]).nodes)
    steps = 0
    for sender, events in situations(agent):
        outputs = {}
        for planned in (False, True):
            tracker = DialogueStateTracker.from_events(sender, events, slots=agent.domain.slots)
            with runner(planned):
                everything = processor.graph_runner.run(inputs={"__tracker__": tracker}, targets=every_node)
                chosen = processor.graph_runner.run(inputs={"__tracker__": tracker}, targets=[target])
            outputs[planned] = (everything, chosen)
        (all_plain, chosen_plain), (all_planned, chosen_planned) = outputs[False], outputs[True]
        assert all_planned.keys() == all_plain.keys(), sender
        predictions = [name for name, value in all_plain.items() if hasattr(value, "probabilities")]
        assert len(predictions) >= 4, predictions  # the three policies and the ensemble's choice
        for name in predictions:
            a, b = all_plain[name], all_planned[name]
            assert (np.array_equal(a.probabilities, b.probabilities), a.policy_name, [str(e) for e in a.events]) \
                == (True, b.policy_name, [str(e) for e in b.events]), (sender, name)
        assert np.array_equal(chosen_plain[target].probabilities, chosen_planned[target].probabilities), sender
        assert chosen_plain[target].policy_name == chosen_planned[target].policy_name, sender
        steps += 1
    assert steps > 1000, steps


def test_the_plan_is_made_once_per_target_set_and_used(agent):
    graph = agent.processor.graph_runner
    graph.__dict__.pop("_plr_plans", None)
    with runner(True):
        for _ in range(3):
            run(agent.parse_message("what is a uln"))
    plans = graph.__dict__["_plr_plans"]
    assert len(plans) == 1
    (plan,) = plans.values()
    names = [name for name, _, _ in plan.steps]
    assert len(names) == len(set(names))
    assert plan.names == set(names)
    for position, (_, _, needs) in enumerate(plan.steps):  # every node after the nodes it needs
        assert all(need not in names or names.index(need) < position for need in needs)


def test_inputs_that_clash_with_nodes_get_rasas_handling(agent):
    graph = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    node = next(iter(graph._graph_schema.minimal_graph_schema([target]).nodes))
    for planned in (False, True):
        with runner(planned), pytest.raises(GraphRunError, match="clashes with a node name"):
            graph.run(inputs={"__message__": node}, targets=[target])


def test_a_runtime_error_in_a_node_becomes_a_graph_run_error(agent, monkeypatch):
    graph = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    plan = graph_runner.plan_for(graph._graph_schema, graph._instantiated_nodes, [target])
    failing_name, failing_node, _ = plan.steps[-1]

    def broken(*inputs):
        raise RuntimeError("broken node")

    monkeypatch.setitem(graph._instantiated_nodes, failing_name, broken)
    graph.__dict__.pop("_plr_plans", None)
    for planned in (False, True):
        with runner(planned), pytest.raises(GraphRunError):
            graph.run(inputs={"__message__": []}, targets=[target])
    graph.__dict__.pop("_plr_plans", None)

"""speedups/fast_model_load.py loads the shipped model into exactly the state Rasa's own load
gives: every weight of DIET, the ResponseSelector and TED, the label embeddings, the parses and
the policies' predictions in a conversation."""
from __future__ import annotations

import numpy as np
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted
from rasa.utils.tensorflow.models import RasaModel

from speedups import fast_model_load
from tests.conftest import run

MESSAGES = ["i want to opt out", "what is a uln", "can i opt back in", "my name is jane smith", "the thing",
            "12 march 2001", "SW1A 1AA", "who can see my plr"]
TURNS = ["hello", "what is a uln", "i want to opt out", "yes", "the thing", "help", "cancel", "bye"]


def snapshot(agent: Agent) -> dict:
    state = {}
    for name, node in sorted(agent.processor.graph_runner._instantiated_nodes.items()):
        model = getattr(node._component, "model", None)
        if isinstance(model, RasaModel):
            state[name] = {
                "weights": {f"{index}:{w.name}": w.numpy() for index, w in enumerate(model.weights)},
                "labels": np.array(model.all_labels_embed) if model.all_labels_embed is not None else None,
            }
    parses = [run(agent.parse_message(text)) for text in MESSAGES]
    state["parses"] = [(p["intent"]["name"], round(p["intent"]["confidence"], 6),
                        [(e["entity"], e["value"]) for e in p.get("entities", [])]) for p in parses]

    async def converse():
        for text in TURNS:
            await agent.handle_text(text, sender_id="fast-load")
        tracker = await agent.tracker_store.retrieve("fast-load")
        return [(e.action_name, e.policy, e.confidence) for e in tracker.events if isinstance(e, ActionExecuted)]

    state["actions"] = run(converse())
    return state


def load_with(loader, trained_model) -> dict:
    installed = RasaModel.__dict__["load"]  # the classmethod itself: `RasaModel.load` is bound to RasaModel
    RasaModel.load = loader
    try:
        return snapshot(Agent.load(str(trained_model)))
    finally:
        RasaModel.load = installed


def test_the_fast_load_gives_the_same_models_as_rasas_own(trained_model):
    fast = load_with(classmethod(fast_model_load._load), trained_model)
    rasa = load_with(classmethod(fast_model_load._original_load), trained_model)
    models = [name for name in rasa if name not in ("parses", "actions")]
    assert any("TED" in name for name in models) and any("ResponseSelector" in name for name in models), models
    assert sorted(fast) == sorted(rasa)
    for name in models:
        assert fast[name]["weights"].keys() == rasa[name]["weights"].keys(), name
        for key, value in rasa[name]["weights"].items():
            assert np.array_equal(fast[name]["weights"][key], value), (name, key)
        if rasa[name]["labels"] is not None:
            assert np.array_equal(fast[name]["labels"], rasa[name]["labels"]), name
    assert fast["parses"] == rasa["parses"]
    assert fast["actions"] == rasa["actions"]

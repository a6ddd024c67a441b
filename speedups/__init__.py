"""Changes to how Rasa 3.6 runs, each giving Rasa's own results at a lower cost per message.

Every one was found by profiling the Rasa server under `make bench` load (py-spy) and is
checked by a test that compares its results with Rasa's unchanged code:

| Module | What Rasa did per message | Test |
|---|---|---|
| jsonschema_once | re-checked the action-result JSON schema itself | tests/unit/test_speedups.py |
| fast_spacy | ran the whole spaCy pipeline twice | tests/model/test_fast_spacy.py |
| ted_gate | ran TED even when a rule or story already decided | tests/model/test_ted_gate.py |
| event_types | walked every Event subclass per stored event | tests/unit/test_event_types.py |
| endpoint_json | encoded action-server bodies with the json module | tests/unit/test_endpoint_json.py |
| tf_direct_call | matched inputs to tf.function's signature per call | tests/model/test_tf_direct_call.py |
| graph_runner | planned each graph run again and ran it through dask's scheduler | tests/model/test_graph_runner.py |
| shared_states | replayed the whole history once per policy for each prediction | tests/model/test_shared_states.py |
| turn_order | queued a message again at each action call (order, not cost) | tests/unit/test_turn_order.py |
| encode_ahead | encoded each message (MiniLM) on the server's one busy core | tests/unit/test_encode_ahead.py |

`install()` is called once by channels/health.py, which every Rasa server of this project loads
(credentials.yml) before its model and before any message. Scripts that only import other
modules (the conversation runner, the soak client) do not pay for TensorFlow.
"""
from __future__ import annotations

from speedups import (
    encode_ahead,
    endpoint_json,
    event_types,
    fast_spacy,
    graph_runner,
    jsonschema_once,
    shared_states,
    ted_gate,
    tf_direct_call,
    turn_order,
)

MODULES = (jsonschema_once, fast_spacy, ted_gate, event_types, endpoint_json, tf_direct_call, graph_runner,
           shared_states, turn_order, encode_ahead)


def install() -> None:
    for module in MODULES:
        module.install()

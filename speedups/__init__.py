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

import logging
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Dict, Mapping, Optional

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


logger = logging.getLogger(__name__)

# The exact versions these patches were written and tested against: several reach into private
# functions whose bodies change between releases, so any other version runs Rasa unpatched.
WRITTEN_FOR: Dict[str, str] = {
    "rasa": "3.6.21",
    "tensorflow": "2.12.0",
    "jsonschema": "4.17.3",
    "aiohttp": "3.9.5",
    "spacy": "3.6.1",
    "dask": "2022.10.2",
}
SWITCH = "PLR_SPEEDUPS"


def _installed_version(package: str) -> Optional[str]:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def reasons_not_to_install(environ: Optional[Mapping[str, str]] = None) -> list:
    """Why the patches stay out: switched off, or a library is not the version they were written for."""
    environ = os.environ if environ is None else environ
    if environ.get(SWITCH, "on").strip().lower() in {"off", "0", "false", "no"}:
        return [f"{SWITCH}=off"]
    return [f"{package} {_installed_version(package)} (written for {wanted})"
            for package, wanted in WRITTEN_FOR.items() if _installed_version(package) != wanted]


def install(environ: Optional[Mapping[str, str]] = None) -> bool:
    """Install every patch, unless switched off or on other library versions; True if installed."""
    reasons = reasons_not_to_install(environ)
    if reasons:
        logger.warning("speedups not installed: %s; Rasa runs unpatched", "; ".join(reasons))
        return False
    for module in MODULES:
        module.install()
    return True

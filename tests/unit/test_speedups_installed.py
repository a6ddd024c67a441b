"""Every Rasa server of this project runs with all of speedups/ installed: it loads
channels/health.py (credentials.yml), which installs them before the model is loaded."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import channels.health  # what every Rasa server loads, through credentials.yml
import jsonschema
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.core.processor import MessageProcessor
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel
from nlu_components.minilm_featurizer import MiniLMFeaturizer
from speedups import (MODULES, encode_ahead, endpoint_json, event_types, fast_spacy, graph_runner,
                      jsonschema_once, shared_states, ted_gate, tf_direct_call, turn_order)
installed = {
    jsonschema_once: jsonschema.validate is jsonschema_once.validate,
    fast_spacy: SpacyNLP._doc_for_text is fast_spacy._doc_for_text
                and SpacyEntityExtractor.process is fast_spacy._extract,
    ted_gate: DaskGraphRunner.__init__ is ted_gate._init
              and TEDPolicy.predict_unless_decided is ted_gate.predict_unless_decided,
    event_types: Event.resolve_by_type is event_types.resolve_by_type,
    endpoint_json: EndpointConfig.session is endpoint_json.session,
    tf_direct_call: RasaModel._rasa_predict is tf_direct_call._rasa_predict,
    graph_runner: DaskGraphRunner.run is graph_runner.run,
    shared_states: Domain.states_for_tracker_history is shared_states.states_for_tracker_history,
    # encode_ahead wraps turn_order's handle_message: the encoding starts before the turn wait
    turn_order: encode_ahead._originals.get("handle_message") is turn_order.handle_message
                and EndpointConfig.request is turn_order.request,
    encode_ahead: MessageProcessor.handle_message is encode_ahead._handle_message
                  and MiniLMFeaturizer._encode is encode_ahead._encode,
}
assert set(installed) == set(MODULES), "a module of speedups/ has no check here"
missing = [module.__name__ for module, ok in installed.items() if not ok]
assert not missing, missing
"""


def test_rasa_servers_install_every_speedup():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]

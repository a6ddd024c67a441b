"""Skip TED's network when a rule or a memorised story has already decided the next action.

Rasa 3.6 runs every policy for every action it predicts, and TED (featurize the tracker, run the
transformer) is the most expensive node of the Rasa server's prediction, run about twice per
learner message (per-node timing under `make bench` load). Yet when RulePolicy
or MemoizationPolicy predicts an action with confidence 1.0, TED cannot win: the ensemble
(`DefaultPolicyPredictionEnsemble._pick_best_policy`) compares (confidence, priority), and TED's
best is (1.0, priority 1) against the rule's (1.0, 6) or the story's (1.0, 3). Most of this
assistant's turns are decided that way (forms, FAQ rules, the `action_listen` after a response).

So, in the prediction graph only, TED's node also receives those two policies' predictions and
returns TED's own "no opinion" (all zeros, Rasa's `_default_predictions`) when one is certain.
The winner, its confidence, its policy name and the events are the same as Rasa's; only a losing
prediction is not computed. TED still runs in full when:
- no rule or story is certain (TED then decides, as before);
- the last action was rejected (the ensemble zeroes the rejected action, so a certain rule for it
  no longer wins);
- TED was trained end to end (with user text): an end-to-end prediction overrules the others.
tests/model/test_ted_gate.py compares every prediction of the test and training stories, and of
the same stories with each user turn changed to other intents, with Rasa's. Installed with the
others by speedups.install(), so only Rasa servers use it; `rasa test` and training are unchanged.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, Optional

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

PREDICT = "predict_action_probabilities"
GATED = "predict_unless_decided"
CERTAIN_POLICIES = (RulePolicy, MemoizationPolicy)
INPUT_PREFIX = "plr_certain_"
_original_init = DaskGraphRunner.__init__


def last_action_rejected(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, (ActionExecuted, ActionExecutionRejected)):
            return isinstance(event, ActionExecutionRejected)
    return False


def decided_without(ted: TEDPolicy, tracker: DialogueStateTracker, others: Dict[str, Any]) -> bool:
    """Would a certain prediction of a higher-priority policy win whatever TED predicts?"""
    if ted.only_e2e or TEXT in ted.fake_features or last_action_rejected(tracker):
        return False
    return any(isinstance(p, PolicyPrediction) and p.max_confidence >= 1.0 and p.policy_priority > ted.priority
               and not p.is_end_to_end_prediction for p in others.values())


def predict_unless_decided(self: TEDPolicy, tracker: DialogueStateTracker, domain: Domain,
                           rule_only_data: Optional[Dict[str, Any]] = None, precomputations: Any = None,
                           **kwargs: Any) -> PolicyPrediction:
    others = {k: kwargs.pop(k) for k in list(kwargs) if k.startswith(INPUT_PREFIX)}
    if decided_without(self, tracker, others):
        return self._prediction(self._default_predictions(domain))
    return self.predict_action_probabilities(tracker, domain, rule_only_data=rule_only_data,
                                             precomputations=precomputations, **kwargs)


def gate_schema(schema: GraphSchema) -> GraphSchema:
    """The same graph, with each TED prediction node also fed the certain policies' predictions."""
    certain = [name for name, node in schema.nodes.items()
               if node.fn == PREDICT and issubclass(node.uses, CERTAIN_POLICIES)]
    nodes = dict(schema.nodes)
    for name, node in schema.nodes.items():
        if node.fn == PREDICT and issubclass(node.uses, TEDPolicy) and certain:
            needs = {**node.needs, **{f"{INPUT_PREFIX}{other}": other for other in certain}}
            nodes[name] = dataclasses.replace(node, needs=needs, fn=GATED)
    return GraphSchema(nodes) if nodes != schema.nodes else schema


def _init(self: DaskGraphRunner, graph_schema: GraphSchema, *args: Any, **kwargs: Any) -> None:
    _original_init(self, gate_schema(graph_schema), *args, **kwargs)


def install() -> None:
    TEDPolicy.predict_unless_decided = predict_unless_decided
    DaskGraphRunner.__init__ = _init


def uninstall() -> None:
    DaskGraphRunner.__init__ = _original_init

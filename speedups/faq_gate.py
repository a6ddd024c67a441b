"""Run the FAQ ResponseSelector only for messages that may be FAQ questions.

Rasa 3.6 runs the ResponseSelector (featurize against every FAQ answer, run its network) on every
message, a large share of the Rasa server's CPU under `make bench` load (py-spy), although most messages of
a request (names, dates, postcodes, "yes") are not questions. Its answer is read in two places:
- Rasa itself (`_update_full_retrieval_intent`, the `utter_faq` action), only when the top intent
  is the retrieval intent `faq`;
- our fallback action (actions/fallback.py), which offers FAQ topics as buttons, scored
  faq confidence x topic confidence, and drops any below `MIN_SCORE` (0.02).

So the selector is skipped when `faq` is not the top intent and is absent from the intent ranking
or below `SKIP_BELOW` there, a product that can never reach the fallback's buttons. A skipped
message keeps `all_retrieval_intents` under `response_selector`, without a `faq` prediction.
The test (tests/model/test_faq_gate.py) parses every training and held-out example with and
without the gate and compares intents, entities, the selector's answers where it ran, and the
fallback action's buttons. Installed with the others by speedups.install(), so only Rasa servers
use it; training, `rasa test` and `make eval` run the selector on every message as Rasa does.
"""
from __future__ import annotations

from typing import List

from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

# Half the fallback action's MIN_SCORE: a topic confidence is at most 1, so faq x topic stays below
# it (tests/model/test_faq_gate.py checks the two constants against each other).
SKIP_BELOW = 0.01

_original_process = ResponseSelector.process


def _retrieval_intents(selector: ResponseSelector) -> List[str]:
    if selector.retrieval_intent:
        return [selector.retrieval_intent]
    return list(selector.all_retrieval_intents)


def may_be_selected(selector: ResponseSelector, message: Message) -> bool:
    """Could anyone read this message's selector answer (see the module's docstring)?"""
    intents = _retrieval_intents(selector)
    top = message.get(INTENT) or {}
    ranking = message.get(INTENT_RANKING_KEY)
    if not intents or not top or ranking is None or top.get(INTENT_NAME_KEY) in intents:
        return True  # no intent classifier before it, or a retrieval intent on top: Rasa's call
    return any(item.get(INTENT_NAME_KEY) in intents and float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= SKIP_BELOW
               for item in ranking)


def process(self: ResponseSelector, messages: List[Message]) -> List[Message]:
    selected = [message for message in messages if may_be_selected(self, message)]
    if selected:
        _original_process(self, selected)
    chosen = {id(message) for message in selected}
    for message in messages:
        if id(message) not in chosen:
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
    return messages


def install() -> None:
    ResponseSelector.process = process  # type: ignore[method-assign]


def uninstall() -> None:
    ResponseSelector.process = _original_process  # type: ignore[method-assign]


__all__ = ["SKIP_BELOW", "install", "may_be_selected", "process", "uninstall"]

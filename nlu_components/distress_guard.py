"""DistressGuard: a message about suicide, self-harm, abuse or danger gets the `safeguarding`
intent, whatever the classifier before it said.

Two signals, either is enough:
- the word patterns of distress_patterns.py (the safety net that does not depend on the
  classifier: it catches phrasings the training data never had);
- the classifier's own `safeguarding` probability at `classifier_threshold` (0.5, the bar
  FallbackClassifier sets for any intent) or above; the guard then makes it 1.0 so no fallback
  or later component can take it away.

The intent is then `safeguarding` with confidence 1.0 (so FallbackClassifier after it leaves it
alone), and the classifier's ranking stays below it for anyone reading the parse. The guard
holds no model: training only passes through.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.distress_patterns import find_distress

logger = logging.getLogger(__name__)

SAFEGUARDING = "safeguarding"


def safeguarding_confidence(message: Message) -> float:
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get(INTENT_NAME_KEY) == SAFEGUARDING:
            return float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return 0.0


def mark_safeguarding(message: Message) -> None:
    """Put `safeguarding` first at 1.0 and keep the classifier's other guesses below it."""
    top = {INTENT_NAME_KEY: SAFEGUARDING, PREDICTED_CONFIDENCE_KEY: 1.0}
    others = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY) != SAFEGUARDING]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *others], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DistressGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"classifier_threshold": 0.5}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.threshold = float({**self.get_default_config(), **config}["classifier_threshold"])

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> DistressGuard:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            pattern = find_distress(text)
            if pattern is not None or safeguarding_confidence(message) >= self.threshold:
                # the pattern's name only: never the learner's words
                logger.info("Safeguarding: %s", pattern or "classifier")
                mark_safeguarding(message)
        return messages

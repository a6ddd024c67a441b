"""FAQ answers chosen like intents: logistic regression on the sentence encoder and word n-grams.

Rasa's ResponseSelector trains a TensorFlow transformer for the same job and runs its graph for
every message. The FAQ topics are short, distinct questions, so the model that already picks
intents (sentence_intent_classifier.py: MiniLM's sentence vector plus TF-IDF word n-grams, C by
cross-validation on the training data) picks the topic too, in NumPy, with no TensorFlow graph
in the NLU at all.

Its output is the ResponseSelector's (`response_selector` in the parse: the chosen
`intent_response_key`, its `utter_action`, the responses and a ranking), so Rasa's
ActionRetrieveResponse, `rasa test nlu` and actions/fallback.py read it unchanged.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.sentence_intent_classifier import SentenceIntentClassifier


def utter_action(intent_response_key: str) -> str:
    return f"utter_{intent_response_key}"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceResponseSelector(SentenceIntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**SentenceIntentClassifier.get_default_config(), "retrieval_intent": "faq"}

    def _labelled_examples(self, training_data: TrainingData) -> Tuple[List[Message], List[str]]:
        retrieval_intent = self.config["retrieval_intent"]
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) == retrieval_intent and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)]
        return examples, [e.get(INTENT_RESPONSE_KEY) for e in examples]

    def _fitted_extras(self, training_data: TrainingData) -> Dict[str, Any]:
        return {"responses": dict(training_data.responses),
                "retrieval_intents": sorted(training_data.retrieval_intents)}

    def process(self, messages: List[Message]) -> List[Message]:
        for message, ranking in self._rankings(messages):
            top = ranking[0]
            key = top[INTENT_NAME_KEY]
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.fitted["responses"].get(utter_action(key)) or [],
                    PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action(key),
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {"id": index, PREDICTED_CONFIDENCE_KEY: entry[PREDICTED_CONFIDENCE_KEY],
                     INTENT_RESPONSE_KEY: entry[INTENT_NAME_KEY]}
                    for index, entry in enumerate(ranking)],
            }
            properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.fitted["retrieval_intents"]
            properties[self.config["retrieval_intent"]] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages

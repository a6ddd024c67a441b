"""Dense features from a pretrained sentence encoder (all-MiniLM-L6-v2), for the intent
classifier (sentence_intent_classifier.py) and the FAQ selector (sentence_response_selector.py).

The spaCy pipeline we use (en_core_web_sm) has no word vectors, so Rasa's SpacyFeaturizer adds
nothing (`doc.vocab.vectors_length == 0`), and a classifier fed only word and character counts
has to learn from a few dozen examples per request intent that "undo my opt out" asks for
sharing; it does not tell "can i opt in again" (a question) from "can you opt me in" (a
request) reliably.
MiniLM was trained on a billion sentence pairs; its features carry meaning that our few
examples cannot teach.

Sequence features: one 384-wide vector per Rasa token, the mean of the encoder's word pieces
that overlap the token's characters. Sentence features: the encoder's sentence embedding (mean
pooled and L2-normalised, as sentence-transformers computes it).
"""
from __future__ import annotations

from typing import Any, Dict, List, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components import minilm


def token_vectors(encoded: minilm.Encoded, token_spans: List[tuple]) -> np.ndarray:
    """One vector per (start, end) character span: the mean of the word pieces overlapping it,
    zeros where none does (a token past the encoder's 256-piece limit)."""
    out = np.zeros((len(token_spans), encoded.tokens.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(token_spans):
        pieces = [i for i, (s, e) in enumerate(encoded.spans) if s < end and e > start]
        if pieces:
            out[row] = encoded.tokens[pieces].mean(0)
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["tokenizers", "safetensors"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return DenseFeaturizer.get_default_config()

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.encoder = minilm.shared()

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
                self._featurize(message, attribute)
        return messages

    def _encode(self, text: str) -> minilm.Encoded:
        return self.encoder.encode(text)  # speedups/encode_ahead.py may have done it already

    def _featurize(self, message: Message, attribute: str) -> None:
        tokens = message.get(TOKENS_NAMES[attribute])
        text = message.get(attribute)
        if not tokens or not isinstance(text, str):
            return
        encoded = self._encode(text)
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(token_vectors(encoded, [(t.start, t.end) for t in tokens]),
                                      FEATURE_TYPE_SEQUENCE, attribute, alias))
        message.add_features(Features(encoded.sentence[np.newaxis, :].astype(np.float32),
                                      FEATURE_TYPE_SENTENCE, attribute, alias))

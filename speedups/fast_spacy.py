"""Run only the spaCy components each Rasa step reads from (per-message CPU).

Rasa 3.6 runs the whole en_core_web_sm pipeline (tok2vec, tagger, parser, attribute_ruler,
lemmatizer, ner) twice on every message:
- `SpacyNLP` on the lower-cased text, for the tokenizer (text, offsets, lemma, tag) and the
  featurizer (token vectors). Nothing reads that doc's entities: lower-cased text is poor for
  NER, which is why the extractor below runs spaCy again. ner is the last component, so leaving
  it out changes nothing before it. (The parser stays: attribute_ruler reads the parse to set
  POS, and the lemmatizer reads POS; CountVectorsFeaturizer uses the lemmas.)
- `SpacyEntityExtractor` on the original text, and reads only `doc.ents`. In en_core_web_sm
  the ner component embeds its own tok2vec (listens to no other component), so ner alone gives
  the same entities; checked at run time, with Rasa's call kept otherwise.
tests/model/test_fast_spacy.py compares tokens, tags, lemmas, vectors and entities with Rasa's
own calls over every example in data/ and tests/nlu/. The two runs are a large share of the Rasa
server's CPU under `make bench` load (py-spy); running only what is read about halves their cost.

Installed with the others by speedups.install(); training keeps Rasa's calls.
"""
from __future__ import annotations

import functools
import weakref
from typing import Any, List

from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.message import Message

# What the tokenizer and featurizer never read (see above for why the parser is not here).
NOT_FOR_FEATURES = ("ner",)
NER = "ner"

_original_doc_for_text = SpacyNLP._doc_for_text
_original_extract = SpacyEntityExtractor.process
# Per loaded spaCy pipeline: the model Rasa's extractor is given instead (None: keep the pipeline).
_ner_only_models: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def ner_standalone(nlp: Any) -> bool:
    """True when the ner component has its own tok2vec (listens to no other component), so that
    running it alone gives the entities the whole pipeline gives."""
    if NER not in nlp.pipe_names:
        return False
    return not any(node.name.startswith("tok2vec-listener") for node in nlp.get_pipe(NER).model.walk())


def _doc_for_text(self: SpacyNLP, model: Any, text: str) -> Any:
    skip = [name for name in NOT_FOR_FEATURES if name in model.pipe_names]
    return model(self._preprocess_text(text), disable=skip)


def _ner_only(model: SpacyModel) -> Any:
    nlp = model.model
    if nlp not in _ner_only_models:
        others = [name for name in nlp.pipe_names if name != NER]
        # Rasa's extractor only calls `model.model(text)`: give it the pipeline with ner alone.
        _ner_only_models[nlp] = (SpacyModel(model=functools.partial(nlp, disable=others), model_name=model.model_name)
                                 if ner_standalone(nlp) else None)
    return _ner_only_models[nlp] or model


def _extract(self: SpacyEntityExtractor, messages: List[Message], model: SpacyModel) -> List[Message]:
    return _original_extract(self, messages, _ner_only(model))


def install() -> None:
    SpacyNLP._doc_for_text = _doc_for_text
    SpacyEntityExtractor.process = _extract


def uninstall() -> None:
    SpacyNLP._doc_for_text = _original_doc_for_text
    SpacyEntityExtractor.process = _original_extract

"""speedups/fast_spacy.py gives Rasa's tokenizer, featurizer and entity extractor exactly what
Rasa's own calls give, for every example in the training data and the held-out tests."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import plr_spacy_en
import pytest
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from speedups import fast_spacy
from testkit.nlu_files import all_example_texts

ROOT = Path(__file__).resolve().parents[2]
# Cased details, as learners type them, for the entity extractor.
DETAILS = ["My name is Alex Testperson and I was born on 3 December 2001",
           "Sam O'Testly, born 14/02/2003", "it's Priya Examplewood", "DOB 1st of May 1999",
           "I changed my name from Jo Sample to Jo Fixture last June"]


def texts() -> List[str]:
    found = all_example_texts()
    assert len(found) > 1000
    return found + DETAILS


@pytest.fixture(scope="module")
def spacy_model():
    yield SpacyModel(model=plr_spacy_en.load(), model_name="plr_spacy_en")
    fast_spacy.uninstall()


def tokens(doc):
    return [(t.text, t.idx, t.lemma_, t.tag_, t.pos_) for t in doc], np.array([t.vector for t in doc])


def test_feature_docs_are_identical(spacy_model):
    component = SpacyNLP(spacy_model, {**SpacyNLP.get_default_config(), "model": "plr_spacy_en"})
    all_texts = texts()
    components = list(spacy_model.model.pipe_names)
    fast_spacy.uninstall()
    rasa_docs = [component._doc_for_text(spacy_model.model, text) for text in all_texts]
    fast_spacy.install()
    fast_docs = [component._doc_for_text(spacy_model.model, text) for text in all_texts]
    assert spacy_model.model.pipe_names == components  # skipped for the call, not removed for good
    for text, rasa_doc, fast_doc in zip(all_texts, rasa_docs, fast_docs):
        rasa_tokens, rasa_vectors = tokens(rasa_doc)
        fast_tokens, fast_vectors = tokens(fast_doc)
        assert fast_tokens == rasa_tokens, text
        assert np.array_equal(fast_vectors, rasa_vectors), text
    # It did skip the entity recogniser, and nothing else: no entities on the fast docs.
    assert any(doc.ents for doc in rasa_docs) and not any(doc.ents for doc in fast_docs)


def test_entities_are_identical(spacy_model):
    assert fast_spacy.ner_standalone(spacy_model.model)
    extractor = SpacyEntityExtractor({**SpacyEntityExtractor.get_default_config(), "dimensions": ["PERSON", "DATE"]})
    all_texts = texts()

    def entities():
        messages = [Message({TEXT: text}) for text in all_texts]
        extractor.process(messages, spacy_model)
        return [m.get(ENTITIES, []) for m in messages]

    fast_spacy.uninstall()
    rasa_entities = entities()
    fast_spacy.install()
    fast_entities = entities()
    assert fast_entities == rasa_entities
    assert sum(bool(e) for e in rasa_entities) >= len(DETAILS)  # the comparison saw real entities

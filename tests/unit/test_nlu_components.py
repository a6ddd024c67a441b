"""The NLU's own components: the NumPy MiniLM encoder, its featurizer and the intent classifier."""
import json
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components import minilm
from nlu_components.minilm_featurizer import MiniLMFeaturizer, token_vectors
from nlu_components.sentence_intent_classifier import SentenceIntentClassifier

REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures" / "minilm_reference.json").read_text())


def test_numpy_encoder_gives_the_embeddings_of_sentence_transformers():
    encoder = minilm.shared()
    for text, expected in zip(REFERENCE["texts"], REFERENCE["sentence"]):
        expected = np.array(expected) / np.linalg.norm(expected)
        got = encoder.encode(text).sentence
        assert np.abs(got - expected).max() < 1e-4, text
        assert abs(np.linalg.norm(got) - 1.0) < 1e-5
    tokens = encoder.encode(REFERENCE["texts"][0]).tokens
    assert np.abs(tokens - np.array(REFERENCE["first_text_tokens"])).max() < 1e-3


def test_encoder_spans_point_into_the_original_text():
    text = "Can you opt me back in, please?"
    encoded = minilm.shared().encode(text)
    pieces = [text[s:e].lower() for s, e in encoded.spans]
    assert pieces[:5] == ["can", "you", "opt", "me", "back"] and pieces[-1] == "?"
    assert len(encoded.spans) == encoded.tokens.shape[0]


def test_very_long_text_is_truncated_not_refused():
    encoded = minilm.shared().encode("opt out " * 400)
    assert encoded.tokens.shape[0] == minilm.MAX_TOKENS - 2 and np.isfinite(encoded.sentence).all()


def test_token_vectors_average_the_pieces_each_token_covers():
    encoded = minilm.Encoded(tokens=np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]], dtype=np.float32),
                             spans=[(0, 3), (3, 5), (6, 9)], sentence=np.zeros(2))
    # "sharin" = two pieces; "plr" one; a token past the last piece gets zeros
    got = token_vectors(encoded, [(0, 5), (6, 9), (10, 12)])
    assert got.tolist() == [[2.0, 1.0], [5.0, 5.0], [0.0, 0.0]]


def featurized(texts):
    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(messages)
    featurizer = MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config(), "alias": "minilm"}, "minilm")
    return featurizer.process(messages)


def test_featurizer_adds_one_vector_per_token_and_a_sentence_vector():
    (message,) = featurized(["please opt me back in"])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence.features.shape == (5, 384) and sentence.features.shape == (1, 384)
    assert np.allclose(sentence.features[0], minilm.shared().encode("please opt me back in").sentence)


def dense_message(text, vector, intent=None):
    message = Message(data={TEXT: text, **({"intent": intent} if intent else {})})
    message.add_features(Features(np.array([vector], dtype=np.float32), "sentence", TEXT, "test"))
    return message


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def test_classifier_trains_persists_loads_and_ranks(storage):
    rng = np.random.default_rng(0)
    centres = {"greet": np.array([1.0, 0, 0]), "request_opt_in": np.array([0, 1.0, 0]), "faq": np.array([0, 0, 1.0])}
    words = {"greet": "hello there", "request_opt_in": "opt me back in", "faq": "how do i opt in"}
    examples = [dense_message(f"{words[i]} {n}", centres[i] + rng.normal(0, 0.1, 3), i)
                for i in centres for n in range(12)]
    resource = Resource("sentence_intent_classifier")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = {**SentenceIntentClassifier.get_default_config(), "C": [1, 10]}
    trained = SentenceIntentClassifier.create(config, storage, resource, context)
    trained.train(TrainingData(examples))
    assert trained.fitted["C"] in (1, 10)

    loaded = SentenceIntentClassifier.load(config, storage, resource, context)
    message = dense_message("could you opt me back in", centres["request_opt_in"])
    untouched = Message(data={TEXT: "no features"})
    loaded.process([message, untouched])
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == "request_opt_in" == ranking[0]["name"]
    assert {r["name"] for r in ranking} == set(centres)
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
    assert untouched.get("intent") is None


def test_classifier_says_what_is_missing_without_sentence_features(storage):
    classifier = SentenceIntentClassifier.create(SentenceIntentClassifier.get_default_config(), storage,
                                                 Resource("x"), ExecutionContext(graph_schema=None, model_id="t"))
    examples = [Message(data={TEXT: f"hi {n}", "intent": "greet" if n % 2 else "bye"}) for n in range(10)]
    with pytest.raises(ValueError, match="MiniLMFeaturizer"):
        classifier.train(TrainingData(examples))


def test_untrained_classifier_loads_and_predicts_nothing(storage):
    context = ExecutionContext(graph_schema=None, model_id="t")
    classifier = SentenceIntentClassifier.load(SentenceIntentClassifier.get_default_config(), storage,
                                               Resource("never_trained"), context)
    message = dense_message("hello", [1.0, 0.0, 0.0])
    classifier.process([message])
    assert message.get("intent") is None


def test_a_message_of_unseen_words_is_not_classified_confidently(storage):
    centres = {"affirm": np.array([1.0, 0, 0]), "deny": np.array([0, 1.0, 0])}
    words = {"affirm": "yes please", "deny": "no thanks"}
    examples = [dense_message(f"{words[i]} {n}", centres[i], i) for i in centres for n in range(10)]
    resource, context = Resource("guard"), ExecutionContext(graph_schema=None, model_id="t")
    classifier = SentenceIntentClassifier.create(SentenceIntentClassifier.get_default_config(), storage, resource,
                                                 context)
    classifier.train(TrainingData(examples))
    seen, unseen = dense_message("yes", centres["affirm"]), dense_message("hmm", centres["affirm"])
    classifier.process([seen, unseen])
    assert seen.get("intent")["name"] == unseen.get("intent")["name"] == "affirm"
    assert seen.get("intent")["confidence"] > 0.8
    # probabilities halved: they sum to 0.5, so none reaches the fallback threshold (0.5)
    assert sum(r["confidence"] for r in unseen.get("intent_ranking")) == pytest.approx(0.5)
    assert sum(r["confidence"] for r in seen.get("intent_ranking")) == pytest.approx(1.0)


def test_response_selector_picks_the_faq_topic_in_the_response_selectors_format(storage):
    from nlu_components.sentence_response_selector import SentenceResponseSelector

    rng = np.random.default_rng(1)
    centres = {"faq/uln_what": np.array([1.0, 0, 0]), "faq/plr_what": np.array([0, 1.0, 0])}
    words = {"faq/uln_what": "what is a uln", "faq/plr_what": "what is a plr"}
    examples = []
    for key, centre in centres.items():
        for n in range(12):
            example = dense_message(f"{words[key]} {n}", centre + rng.normal(0, 0.1, 3), "faq")
            example.set("intent_response_key", key)
            examples.append(example)
    examples += [dense_message(f"hello {n}", np.array([0, 0, 1.0]), "greet") for n in range(12)]
    responses = {"utter_faq/uln_what": [{"text": "A ULN is ..."}], "utter_faq/plr_what": [{"text": "A PLR is ..."}]}
    resource, context = Resource("faq_selector"), ExecutionContext(graph_schema=None, model_id="t")
    config = {**SentenceResponseSelector.get_default_config(), "C": [10]}
    SentenceResponseSelector.create(config, storage, resource, context).train(TrainingData(examples,
                                                                                        responses=responses))
    selector = SentenceResponseSelector.load(config, storage, resource, context)
    message = dense_message("whats my uln", centres["faq/uln_what"])
    selector.process([message])
    properties = message.get("response_selector")
    assert properties["all_retrieval_intents"] == ["faq"]
    response = properties["faq"]["response"]
    assert response["intent_response_key"] == "faq/uln_what"
    assert response["utter_action"] == "utter_faq/uln_what"
    assert response["responses"] == [{"text": "A ULN is ..."}]
    ranking = properties["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking] == ["faq/uln_what", "faq/plr_what"]
    assert ranking[0]["confidence"] == response["confidence"] > 0.5
    assert message.get("intent") is None, "the selector leaves the intent to the intent classifier"

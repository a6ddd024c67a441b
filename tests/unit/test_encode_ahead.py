"""speedups/encode_ahead.py: the featurizer gets the same vectors whether the text was encoded
ahead in the worker thread or in line, and pending results cannot pile up."""
import asyncio

import numpy as np
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from nlu_components import minilm
from nlu_components.minilm_featurizer import MiniLMFeaturizer
from speedups import encode_ahead


@pytest.fixture
def installed():
    encode_ahead.install()
    try:
        yield
    finally:
        encode_ahead.uninstall()


def featurizer():
    return MiniLMFeaturizer({**MiniLMFeaturizer.get_default_config(), "alias": "minilm"}, "minilm")


def test_a_text_encoded_ahead_gives_the_same_vectors(installed, monkeypatch):
    text = "can you opt me back in please"
    encode_ahead.start(text)
    encode_ahead._pending[text][0].result(timeout=30)
    expected = minilm.shared().encode(text)
    # the result must come from the worker thread: encoding in line would now fail
    monkeypatch.setattr(minilm.MiniLM, "encode", lambda self, t: (_ for _ in ()).throw(AssertionError(t)))
    got = featurizer()._encode(text)
    assert np.array_equal(got.tokens, expected.tokens) and np.array_equal(got.sentence, expected.sentence)
    assert got.spans == expected.spans and encode_ahead.pending() == 0


def test_without_a_result_ahead_the_featurizer_encodes_in_line(installed):
    text = "what is a uln"
    assert encode_ahead.take(text) is None
    assert np.array_equal(featurizer()._encode(text).sentence, minilm.shared().encode(text).sentence)


def test_the_same_text_from_two_learners_is_taken_twice(installed):
    for _ in range(2):
        encode_ahead.start("yes")
    assert encode_ahead.pending() == 2
    assert encode_ahead.take("yes") is not None and encode_ahead.take("yes") is not None
    assert encode_ahead.take("yes") is None


def test_payloads_and_empty_texts_are_not_encoded(installed):
    for text in ("/affirm", "", "   ", None):
        encode_ahead.start(text)
    assert encode_ahead.pending() == 0


def test_pending_results_are_bounded(installed, monkeypatch):
    monkeypatch.setattr(encode_ahead, "MAX_PENDING", 3)
    for n in range(6):
        encode_ahead.start(f"message number {n}")
    assert encode_ahead.pending() == 3 and "message number 5" in encode_ahead._pending


def test_handle_message_starts_the_encoding_before_rasa_handles_it(monkeypatch):
    seen = []

    async def original(self, message):
        seen.append(encode_ahead.pending())
        return "handled"

    monkeypatch.setattr(MessageProcessor, "handle_message", original)
    encode_ahead.install()
    try:
        result = asyncio.run(MessageProcessor.handle_message(None, UserMessage("how long does an opt out take")))
    finally:
        encode_ahead.uninstall()
    assert result == "handled" and seen == [1]
    assert MessageProcessor.handle_message is original

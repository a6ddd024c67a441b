"""The spaCy English pipeline is really loaded by the trained model and used in a parse."""
from rasa.core.channels import UserMessage

from tests.conftest import run


def full_parse(agent, text):
    return run(agent.processor.parse_message(UserMessage(text), only_output_properties=False))


def test_spacy_tokens_and_lemmas_appear_in_a_parse(agent):
    parsed = full_parse(agent, "I was born in Leeds and my sisters are studying")
    tokens = parsed["text_tokens"]
    lemmas = {token.text: token.lemma for token in tokens}
    # Lemmas only a real English pipeline knows: irregular verbs and plurals.
    assert lemmas["was"] == "be"
    assert lemmas["sisters"] == "sister"
    assert lemmas["studying"] == "study"
    # The parse carries the pipeline's own Doc, with its 96-dimensional tok2vec vectors.
    doc = parsed["text_spacy_doc"]
    assert doc.lang_ == "en"
    assert doc.vector.shape == (96,)
    assert [t.lemma_ for t in doc][:2] == ["I", "be"]


def test_spacy_entities_find_a_name_and_a_date(agent):
    parsed = full_parse(agent, "My name is Sarah Jones and I was born on 12 March 2001")
    found = {(e["entity"], e["value"]) for e in parsed["entities"] if e.get("extractor") == "SpacyEntityExtractor"}
    assert ("PERSON", "Sarah Jones") in found
    assert ("DATE", "12 March 2001") in found

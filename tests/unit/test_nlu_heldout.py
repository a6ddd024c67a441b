"""The held-out NLU set is big enough, covers every topic, and is really held out."""
from testkit.nlu_files import heldout_examples, normalise, training_examples


def test_heldout_set_has_at_least_200_phrasings():
    assert sum(len(texts) for texts in heldout_examples().values()) >= 200


def test_no_heldout_phrasing_is_a_training_example():
    trained = {normalise(text) for texts in training_examples().values() for text in texts}
    leaked = [text for texts in heldout_examples().values() for text in texts if normalise(text) in trained]
    assert leaked == []


def test_no_phrasing_repeats_inside_the_heldout_set():
    seen, repeated = set(), []
    for texts in heldout_examples().values():
        for text in texts:
            key = normalise(text)
            if key in seen:
                repeated.append(text)
            seen.add(key)
    assert repeated == []


def test_every_faq_topic_and_intent_of_mine_is_tested():
    trained_faq = {intent for intent in training_examples() if intent.startswith("faq/")}
    tested = set(heldout_examples())
    mine = {"thanks", "chitchat", "out_of_scope", "human_handoff", "helpdesk_hours",
            "followup_how_long", "followup_how_to"}
    assert (trained_faq | mine) - tested == set()
    assert all(len(heldout_examples()[topic]) >= 5 for topic in trained_faq)


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise("  What's   a ULN? ") == normalise("whats a uln")
    assert normalise("what is a uln") != normalise("what is a plr")


def test_no_training_phrasing_is_labelled_twice():
    """The same words (after normalising) under two intents or topics teach nothing but doubt."""
    owners = {}
    for intent, texts in training_examples().items():
        for text in texts:
            owners.setdefault(normalise(text), set()).add(intent)
    assert {text: sorted(i) for text, i in owners.items() if len(i) > 1} == {}

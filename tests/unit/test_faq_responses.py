"""FAQ answers: short, plain, sourced and covered by training data; every intent and
topic has a readable title; hedged facts stay hedged; hours never appear in text."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Dict, List, Set, Tuple

import pytest

from actions.titles import load_titles
from content import contacts
from testkit.nlu_files import normalise, training_examples
from tests.unit.domain_files import domain_intents, facts, faq_topics_in_domain, variations

MAX_WORDS = 60
MIN_TOPICS = 35
MIN_EXAMPLES = 15
ISSUE_TOPICS = {  # the topic list of the issue, as topic keys
    "lrs_what", "plr_what", "plr_contents", "plr_missing", "uln_what", "uln_find", "uln_lookup", "plr_view",
    "plr_wrong", "who_can_see", "employers", "data_sources", "controller", "legal_basis", "retention",
    "marketing", "rights", "subject_access", "complaint_lrs", "complaint_ico", "privacy_notice", "welsh",
    "accessible_formats", "code_of_practice", "provider_duty", "opt_out_what", "opt_out_limits", "opt_out_how",
    "opt_in", "request_time", "uln_vs_upn", "scotland", "name_change", "helpdesk",
}
# Words that show an L (or unconfirmed) fact is given as what a source says, not as certain.
HEDGES = ["cannot say for sure", "privacy notice says", "cannot give you a figure", "no published",
          "older versions of the privacy notice", "i cannot promise", "cannot confirm"]


def faq_variations():
    return [v for v in variations() if v.response.startswith("utter_faq/")]


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def test_there_are_at_least_35_topics_covering_the_issue_list():
    topics = set(faq_topics_in_domain())
    assert len(topics) >= MIN_TOPICS
    assert ISSUE_TOPICS - topics == set()


@pytest.mark.parametrize("variation", faq_variations(), ids=lambda v: v.response)
def test_answers_are_at_most_about_60_words(variation):
    assert words(variation.text) <= MAX_WORDS, f"{words(variation.text)} words"


def test_every_topic_has_an_answer_and_at_least_15_training_examples():
    examples = training_examples()
    trained = {intent[len("faq/"):]: texts for intent, texts in examples.items() if intent.startswith("faq/")}
    assert set(trained) == set(faq_topics_in_domain())
    short = {topic: len(texts) for topic, texts in trained.items() if len(texts) < MIN_EXAMPLES}
    assert short == {}


def test_training_examples_are_varied_in_style():
    """Each topic has a very short phrasing, a voice-style one and a formal one."""
    for intent, texts in training_examples().items():
        if not intent.startswith("faq/"):
            continue
        assert any(len(t.split()) <= 3 for t in texts), f"{intent}: no very short phrasing"
        assert any(t.startswith("um ") and t == t.lower() and not re.search(r"[?.!,]", t) for t in texts), \
            f"{intent}: no voice-transcript phrasing"
        assert any(t[0].isupper() and t.endswith(("?", ".")) for t in texts), f"{intent}: no formal phrasing"


def test_every_intent_and_topic_has_a_readable_title():
    names = load_titles()
    missing = [intent for intent in domain_intents() if not names.intent_title(intent)]
    missing += [f"faq/{topic}" for topic in faq_topics_in_domain() if not names.topic_title(topic)]
    assert missing == [], f"add titles to actions/intent_titles.yml for: {missing}"
    all_titles = [e["title"] for e in list(names.intents.values()) + list(names.faq.values())]
    assert all(title[0].isupper() and "_" not in title for title in all_titles)


def test_each_topic_button_question_is_a_training_example_of_that_topic():
    examples = training_examples()
    for topic, entry in load_titles().faq.items():
        trained = {normalise(text) for text in examples.get(f"faq/{topic}", [])}
        assert normalise(entry["question"]) in trained, topic


def test_intent_buttons_send_intents_that_exist():
    intents = set(domain_intents())
    for intent, entry in load_titles().intents.items():
        if entry.get("payload"):
            assert entry["payload"] == f"/{intent}" and intent in intents


def test_every_answer_rests_on_facts_in_the_facts_file():
    data = facts()
    known = set(data["facts"]) | {f"policy.{key}" for key in data["policy"]}
    assert set(data["topics"]) == set(faq_topics_in_domain())
    for topic, keys in data["topics"].items():
        assert keys and set(keys) <= known, (topic, set(keys) - known)


def test_every_fact_names_sources_that_exist_and_a_confidence():
    data = facts()
    for key, entry in list(data["facts"].items()) + list(data["policy"].items()):
        assert entry["confidence"] in {"H", "M", "L"}, key
        assert set(entry["sources"]) <= set(data["sources"]), key
        if entry["confidence"] == "L":
            assert entry.get("hedge"), f"{key}: an L fact needs a hedge rule"


def test_answers_built_on_low_confidence_facts_are_hedged():
    """Every variation of such an answer, on screen and on the phone, carries a hedge."""
    data = facts()
    weak = {key for key, entry in data["facts"].items() if entry["confidence"] == "L"}
    texts: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    for v in faq_variations():
        texts[(v.response[len("utter_faq/"):], v.channel or "text")].append(v.text.lower())
    hedged_topics = {topic for topic, keys in data["topics"].items() if weak & set(keys)}
    assert hedged_topics, "no answer rests on an L fact: the check below would do nothing"
    unhedged = [(topic, channel, n) for (topic, channel), options in texts.items() if topic in hedged_topics
                for n, text in enumerate(options) if not any(hedge in text for hedge in HEDGES)]
    assert unhedged == []
    for topic in hedged_topics:  # every such answer has a text and a phone version to check
        assert {(topic, "text"), (topic, "twilio_voice")} <= set(texts), topic


def _figures(text: str) -> Set[int]:
    return {int(n) for n in re.findall(r"\b\d+\b", text)}


def test_the_limits_the_form_names_match_the_facts_and_the_checks():
    """"35 characters", "younger than 13" and "older than 120" in utter_invalid_* are the figures
    of identity.name_length and policy.age_limits, and the ones plr_common enforces."""
    from plr_common import dates, names

    data = facts()
    name_length = _figures(data["facts"]["identity.name_length"]["statement"])
    age_limits = _figures(data["policy"]["age_limits"]["statement"])
    assert names.MAX_LENGTH in name_length
    assert {dates.MIN_AGE, dates.MAX_AGE} <= age_limits
    expected = {"utter_invalid_name_too_long": {names.MAX_LENGTH},
                "utter_invalid_age_under_13": {dates.MIN_AGE},
                "utter_invalid_age_over_120": {dates.MAX_AGE}}
    seen = defaultdict(int)
    for v in variations():
        if v.response in expected:
            seen[v.response] += 1
            figures = _figures(v.text)
            assert figures == expected[v.response], (v.response, v.channel, figures)
    assert set(seen) == set(expected) and all(count >= 2 for count in seen.values()), dict(seen)


def test_nothing_from_the_never_say_list_appears():
    banned = [phrase.lower() for phrase in facts()["never_say"]]
    offending = [(v.response, p) for v in variations() for p in banned if p in v.text.lower()]
    assert offending == []


def test_helpdesk_hours_only_come_from_configuration():
    clock = re.compile(
        r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b|monday|mon-fri|weekdays|opening hours are",
        re.IGNORECASE)
    assert [v.response for v in variations() if clock.search(v.text)] == []
    hours_responses = [v for v in variations() if "{helpdesk_hours}" in v.text]
    assert hours_responses, "the configured hours should be shown somewhere"


def test_faq_answers_have_no_slot_placeholders():
    # utter_faq is sent straight after the learner's message: no action fills slots first.
    # Contact details are placeholders that the NLG fills for every response (content/nlg.py).
    names = set(contacts.reviewed())
    left = [v.response for v in faq_variations() if "{" in re.sub(r"{(\w+)}", lambda m: (
        "" if m.group(1) in names else m.group(0)), v.text)]
    assert left == []


# After an offer's question, a telephone variation may only say how to answer it.
ANSWER_KEYS = re.compile(r"^(?:\s*(?:say|or|press)\b[^?]*)?$", re.IGNORECASE)


def test_offers_have_a_question_and_a_no_thanks_button():
    for v in faq_variations():
        if v.buttons:
            if v.channel == "twilio_voice":  # the question first, then the keys
                question, _, keys = v.text.rpartition("?")
                assert question and ANSWER_KEYS.match(keys), v.response
            else:
                assert v.text.rstrip().endswith("?"), v.response
            assert any(b["payload"] == "/deny" for b in v.buttons), v.response
            intents = set(domain_intents())
            assert all(b["payload"].startswith("/") and b["payload"][1:] in intents for b in v.buttons), v.response


def test_no_answer_asks_for_a_uln_by_email():
    email_request = re.compile(r"\b(email|send)\b[^.]*\b(your )?uln\b", re.IGNORECASE)
    for v in variations():
        for sentence in re.split(r"(?<=[.!?])\s+", v.text):
            if email_request.search(sentence):
                assert re.search(r"\bdon'?t\b|\bnever\b|\bnot\b", sentence, re.IGNORECASE), (v.response, sentence)


def test_plain_english_sentences_are_short():
    """A reading age of about 9-11: no sentence in an answer runs past 30 words."""
    for v in faq_variations():
        for sentence in re.split(r"(?<=[.!?])\s+", v.text):
            assert words(sentence) <= 30, (v.response, sentence)


def test_complaint_times_count_the_25_days_from_the_check_in_every_variation():
    """S8: most complaints are closed within 25 working days of the LRS confirming the problem
    with the complainant, not of the acknowledgement (docs/facts.yml complaints.lrs_times)."""
    options = [v for v in faq_variations() if v.response == "utter_faq/complaint_times"]
    assert {v.channel for v in options} == {None, "twilio_voice"}
    for v in options:
        assert "checks the problem with you" in v.text and "25 working days of that check" in v.text, v.channel

"""speedups/faq_gate.py skips the FAQ ResponseSelector only where nobody reads its answer: for every
training and held-out example (and the details a learner types into the form), the shipped model
gives the same intents, entities and FAQ answers with the gate as without it, and the fallback
action offers the same buttons; the selector is really skipped for most non-questions."""
from __future__ import annotations

import asyncio
from typing import Dict, List

import pytest
from rasa.core.agent import Agent

from actions import fallback
from speedups import faq_gate
from tests.unit.nlu_files import all_example_texts

# What learners type inside a request (synthetic people), which the NLU files hold few of.
FORM_INPUTS = ["Alex", "Testperson", "Omar", "Amara", "Okafor", "31/02/2001", "3 April 1999", "SW1A 1AA",
               "CF10 3AT", "1748529632", "123", "yes", "no", "the thing", "asdfgh", "?"]


def texts() -> List[str]:
    found = all_example_texts()
    assert len(found) > 1000
    return found + FORM_INPUTS


async def parse_all(agent: Agent, all_texts: List[str]) -> List[dict]:
    return [await agent.parse_message(text) for text in all_texts]


@pytest.fixture(scope="module")
def parses(trained_model) -> Dict[bool, List[dict]]:
    all_texts = texts()
    results = {}
    for gated in (False, True):
        # The graph binds each component's method when the model is loaded: install first.
        (faq_gate.install if gated else faq_gate.uninstall)()
        try:
            agent = Agent.load(str(trained_model))
        finally:
            faq_gate.uninstall()

        results[gated] = asyncio.run(parse_all(agent, all_texts))
    return results


def test_the_gate_changes_nothing_that_is_read(parses):
    skipped = selected = 0
    for plain, gated in zip(parses[False], parses[True]):
        text = plain["text"]
        for key in ("intent", "intent_ranking", "entities"):
            assert gated[key] == plain[key], text
        plain_selector, gated_selector = plain["response_selector"], gated["response_selector"]
        if "faq" in gated_selector:
            selected += 1
            assert gated_selector == plain_selector, text
        else:
            skipped += 1
            assert gated_selector == {"all_retrieval_intents": plain_selector["all_retrieval_intents"]}, text
            assert plain["intent"]["name"] != "faq", text
        assert fallback.likeliest_choices(gated) == fallback.likeliest_choices(plain), text
    # FAQ questions are most of the examples; the others are mostly skipped.
    assert skipped > 400 and selected > 600, (skipped, selected)


def test_the_skipped_answers_could_not_become_a_button():
    # A topic's confidence is at most 1, so faq confidence x topic confidence stays below the
    # fallback action's threshold for every skipped message.
    assert faq_gate.SKIP_BELOW * 1.0 < fallback.MIN_SCORE


def test_a_question_near_the_threshold_is_still_answered(parses):
    faq_like = [(plain, gated) for plain, gated in zip(parses[False], parses[True])
                if plain["intent"]["name"] != "faq"
                and any(item["name"] == "faq" and item["confidence"] >= faq_gate.SKIP_BELOW
                        for item in plain["intent_ranking"])]
    assert faq_like, "no example ranks faq second with some confidence: the test shows nothing"
    for plain, gated in faq_like:
        assert gated["response_selector"] == plain["response_selector"], plain["text"]

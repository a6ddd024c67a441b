"""The trained model (models/current.tar.gz, built by `make train`) in-process: the
questions that fallback buttons send are answered with their own topic, follow-ups are
recognised, and questions about opting out stay apart from requests to opt out."""
from __future__ import annotations

import pytest

from actions.titles import load_titles
from tests.conftest import run


def parse(agent, text):
    data = run(agent.parse_message(text))
    selector = (data.get("response_selector") or {}).get("faq") or {}
    return data["intent"]["name"], (selector.get("response") or {}).get("intent_response_key")


def test_every_topic_button_question_gets_its_own_answer(agent):
    wrong = {}
    for topic, entry in load_titles().faq.items():
        intent, key = parse(agent, entry["question"])
        if (intent, key) != ("faq", f"faq/{topic}"):
            wrong[topic] = (entry["question"], intent, key)
    assert wrong == {}


@pytest.mark.parametrize("text, intent", [
    ("and how long does that take?", "followup_how_long"),
    ("how do i do that", "followup_how_to"),
    ("can i speak to a person", "human_handoff"),
    ("what time is the helpdesk open", "helpdesk_hours"),
    ("thank you", "thanks"),
])
def test_conversation_intents_are_recognised(agent, text, intent):
    assert parse(agent, text)[0] == intent


@pytest.mark.parametrize("text, topic", [
    ("what does opting out do", "faq/opt_out_what"),
    ("how can i opt out", "faq/opt_out_how"),
    ("is it possible to opt back in", "faq/opt_in"),
])
def test_questions_about_opting_out_are_questions(agent, text, topic):
    assert parse(agent, text) == ("faq", topic)

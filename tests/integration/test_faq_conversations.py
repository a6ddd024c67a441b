"""Conversations about learners' questions through the REST channel of the running stack
(Rasa server + action server + backend): answers, follow-ups in context, the offer after
an answer, the two-stage fallback and talking to a person."""
from __future__ import annotations

import pytest

from tests.chat import buttons, new_sender, send, texts, tracker

pytestmark = pytest.mark.stack


def say(stack, sender, text):
    replies = send(stack.config.rasa_url, sender, text)
    return texts(replies), replies


def test_how_long_after_an_opt_out_answer_is_about_opt_out_requests(stack):
    sender = new_sender("faq")
    reply, replies = say(stack, sender, "what does opting out actually change")
    assert "not shared" in reply and "Shall I start a request?" in reply
    assert buttons(replies) == ["Yes, start a request", "No thanks"]

    reply, _ = say(stack, sender, "and how long does that take?")
    assert "no published time for opt-out" in reply


def test_the_same_follow_up_after_a_complaint_answer_is_about_complaints(stack):
    sender = new_sender("faq")
    reply, _ = say(stack, sender, "how can i make a complaint about the lrs")
    assert "Cheylesmore House" in reply
    reply, _ = say(stack, sender, "how long does that take")
    assert "10 working days" in reply and "25 working days" in reply


def test_a_follow_up_with_nothing_before_it_asks_for_the_whole_question(stack):
    reply, _ = say(stack, new_sender("faq"), "how long does that take")
    assert "ask the whole question" in reply


def test_yes_after_the_offer_starts_the_opt_out_request(stack):
    sender = new_sender("faq")
    reply, _ = say(stack, sender, "how do i opt out")
    assert "Would you like to start a request?" in reply
    reply, _ = say(stack, sender, "yes please")
    assert reply and "anything else" not in reply
    intents = [e["parse_data"]["intent"]["name"] for e in
               tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], sender)["events"] if e["event"] == "user"]
    assert intents[-2:] == ["affirm", "request_opt_out"]


def test_no_after_the_offer_moves_on(stack):
    sender = new_sender("faq")
    say(stack, sender, "how do i opt out")
    reply, _ = say(stack, sender, "no thanks")
    assert "anything else" in reply


def test_two_misses_in_a_row_lead_to_the_helpdesk(stack):
    sender = new_sender("faq")
    reply, replies = say(stack, sender, "/nlu_fallback")
    assert "Sorry" in reply
    assert "What can you do?" in buttons(replies) or "Something else" in buttons(replies)
    reply, _ = say(stack, sender, "/nlu_fallback")
    assert "0345 602 2589" in reply and "helpdesk" in reply


def test_talk_to_a_person_gives_the_number_and_no_made_up_hours(stack):
    reply, _ = say(stack, new_sender("faq"), "can i talk to a real person please")
    assert "0345 602 2589" in reply
    hours = stack.env.get("HELPDESK_HOURS", "")
    assert ("open" in reply) == bool(hours)


def test_thanks_small_talk_and_out_of_scope(stack):
    sender = new_sender("faq")
    assert "welcome" in say(stack, sender, "thanks very much")[0]
    assert "learning record" in say(stack, sender, "tell me a joke")[0].lower()
    reply, replies = say(stack, sender, "can you book me a train ticket")
    assert "cannot help with that" in reply and "Talk to a person" in buttons(replies)

"""action_answer_followup with real Trackers: follow-ups are answered about the topic
the assistant answered last."""
import asyncio

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq_followup import CONTEXT_USER_TURNS, ActionAnswerFollowup, followup_map, last_answered_topic
from tests.unit.domain_files import domain_intents, faq_topics_in_domain
from tests.unit.faq_trackers import action, answered, bot, session_start, tracker_from, user


def run_followup(events):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionAnswerFollowup().run(dispatcher, tracker_from(events), {}))
    return dispatcher.messages, result


def test_how_long_after_an_opt_out_answer_is_about_opt_out_requests():
    events = session_start() + answered("opt_out_how", "how do i opt out") + [
        user("and how long does that take?", "followup_how_long")]
    messages, result = run_followup(events)
    assert [m["response"] for m in messages] == ["utter_faq/request_time"]
    assert result == [SlotSet("followup_result", "answered")]


def test_the_same_words_after_a_complaint_answer_are_about_complaints():
    events = session_start() + answered("complaint_lrs") + [user("how long does that take", "followup_how_long")]
    messages, _ = run_followup(events)
    assert [m["response"] for m in messages] == ["utter_faq/complaint_times"]


def test_how_to_after_what_opting_out_does_explains_how_to_opt_out():
    events = session_start() + answered("opt_out_what") + [user("how do i do that?", "followup_how_to")]
    messages, _ = run_followup(events)
    assert [m["response"] for m in messages] == ["utter_faq/opt_out_how"]


def test_a_chain_of_follow_ups_keeps_the_subject_of_the_latest_answer():
    # what opting out does -> "how do I do that?" (answered by this action) -> "how long?"
    events = session_start() + answered("opt_out_what") + [
        user("how do i do that", "followup_how_to"), action("action_answer_followup"),
        bot("how to opt out", "utter_faq/opt_out_how"), action("action_listen"),
        user("thanks", "thanks"), action("utter_welcome"), bot("You're welcome.", "utter_welcome"),
        action("action_listen"), user("how long?", "followup_how_long")]
    assert last_answered_topic(events) == "opt_out_how"
    messages, _ = run_followup(events)
    assert [m["response"] for m in messages] == ["utter_faq/request_time"]


def test_a_topic_with_no_published_time_gets_the_dont_know_outcome():
    events = session_start() + answered("scotland") + [user("how long does that take", "followup_how_long")]
    messages, result = run_followup(events)
    assert messages == []
    assert result == [SlotSet("followup_result", "unknown")]


def test_without_an_earlier_answer_there_is_no_context():
    events = session_start() + [user("how long does it take", "followup_how_long")]
    messages, result = run_followup(events)
    assert messages == []
    assert result == [SlotSet("followup_result", "no_context")]


def test_answers_from_an_earlier_session_do_not_count():
    events = answered("opt_out_how") + session_start() + [user("how long?", "followup_how_long")]
    assert run_followup(events)[1] == [SlotSet("followup_result", "no_context")]


def test_an_old_answer_is_stale_after_several_turns():
    events = session_start() + answered("opt_out_how")
    for turn in range(CONTEXT_USER_TURNS):
        events += [user(f"hello {turn}", "greet"), action("utter_greet"), bot("Hello", "utter_greet"),
                   action("action_listen")]
    events.append(user("how long?", "followup_how_long"))
    assert run_followup(events)[1] == [SlotSet("followup_result", "no_context")]


def test_the_follow_up_map_only_names_real_intents_and_topics():
    topics, intents = set(faq_topics_in_domain()), set(domain_intents())
    for intent, targets in followup_map().items():
        assert intent in intents
        assert set(targets) <= topics, set(targets) - topics
        assert set(targets.values()) <= topics, set(targets.values()) - topics


@pytest.mark.parametrize("topic", ["opt_out_what", "opt_out_how", "opt_out_limits", "opt_out_existing", "opt_in"])
def test_every_opting_answer_has_a_how_long_follow_up(topic):
    assert followup_map()["followup_how_long"][topic] == "request_time"

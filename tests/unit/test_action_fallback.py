"""action_fallback_options with real Trackers: the first miss offers the two likeliest
topics with readable titles; a second miss in a row offers the helpdesk."""
import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import settings as settings_module
from actions.fallback import ActionFallbackOptions, consecutive_misses, likeliest_choices
from actions.titles import titles
from tests.unit.faq_trackers import action, answered, bot, session_start, tracker_from, user


@pytest.fixture(autouse=True)
def helpdesk_settings(monkeypatch):
    # The project's .env (made by `make setup`) supplies the other settings; real
    # environment variables win over it, so these two are the ones under test.
    monkeypatch.setenv("HELPDESK_PHONE", "0345 602 2589")
    monkeypatch.setenv("HELPDESK_HOURS", "")
    settings_module.get_settings.cache_clear()
    yield
    settings_module.get_settings.cache_clear()


def unsure_parse(intent_ranking, faq_ranking=()):
    """Parse data as Rasa sends it after the FallbackClassifier stepped in."""
    return {
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5}] + [
            {"name": name, "confidence": conf} for name, conf in intent_ranking],
        "response_selector": {"all_retrieval_intents": ["faq"], "faq": {
            "response": {"intent_response_key": faq_ranking[0][0] if faq_ranking else None},
            "ranking": [{"intent_response_key": key, "confidence": conf} for key, conf in faq_ranking]}},
    }


def miss(text, parse):
    return user(text, "nlu_fallback", 0.5, **parse)


def run(events):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionFallbackOptions().run(dispatcher, tracker_from(events), {}))
    assert dispatcher.messages == []  # the rules send the responses
    return {event["name"]: event["value"] for event in result if event["event"] == "slot"}


def test_first_miss_offers_the_two_likeliest_faq_topics_by_title():
    parse = unsure_parse([("faq", 0.45), ("help", 0.2)], [("faq/uln_find", 0.6), ("faq/uln_what", 0.3)])
    slots = run(session_start() + [miss("uln lost help??", parse)])
    assert slots["fallback_stage"] == "clarify"
    assert slots["fallback_choices"] == "two"
    assert (slots["fallback_option_1_title"], slots["fallback_option_1_payload"]) == (
        "Finding your ULN", "How do I find my ULN?")
    # 0.45 * 0.3 = 0.135 < 0.2: the help intent is likelier than the second topic
    assert (slots["fallback_option_2_title"], slots["fallback_option_2_payload"]) == (
        "What this assistant can do", "/help")


def test_intents_without_a_button_are_never_offered():
    parse = unsure_parse([("affirm", 0.4), ("greet", 0.3), ("human_handoff", 0.2)])
    slots = run(session_start() + [miss("yeah hi person", parse)])
    assert slots["fallback_choices"] == "one"
    assert slots["fallback_option_1_payload"] == "/human_handoff"
    assert slots["fallback_option_2_title"] is None


def test_nothing_likely_enough_asks_to_rephrase():
    parse = unsure_parse([("greet", 0.5), ("faq", 0.01)], [("faq/scotland", 0.9)])
    slots = run(session_start() + [miss("qwzx", parse)])
    assert slots["fallback_stage"] == "clarify"
    assert slots["fallback_choices"] == "none"


def test_second_miss_in_a_row_offers_the_helpdesk_with_configured_details(monkeypatch):
    monkeypatch.setenv("HELPDESK_HOURS", "Monday to Friday, 9am to 5pm")
    settings_module.get_settings.cache_clear()
    parse = unsure_parse([("faq", 0.4)], [("faq/plr_view", 0.5)])
    events = session_start() + [miss("blah", parse), action("action_fallback_options"),
                                action("utter_fallback_clarify"), bot("Did you mean", "utter_fallback_clarify"),
                                action("action_listen"), miss("blah blah", parse)]
    slots = run(events)
    assert slots == {"fallback_stage": "helpdesk", "helpdesk_phone": "0345 602 2589",
                     "helpdesk_hours": "Monday to Friday, 9am to 5pm"}


def test_an_understood_message_in_between_resets_the_count():
    parse = unsure_parse([("faq", 0.4)], [("faq/plr_view", 0.5)])
    events = session_start() + [miss("blah", parse)] + answered("plr_view") + [miss("blah again", parse)]
    assert consecutive_misses(events) == 1
    assert run(events)["fallback_stage"] == "clarify"


def test_misses_before_a_new_session_do_not_count():
    parse = unsure_parse([("faq", 0.4)], [("faq/plr_view", 0.5)])
    assert consecutive_misses([miss("x", parse)] + session_start() + [miss("y", parse)]) == 1


def test_every_offer_has_a_readable_title_and_a_payload():
    names = titles()
    ranking = [("faq", 0.9)]
    faq_ranking = [(f"faq/{topic}", 0.5) for topic in names.faq]
    for choice in likeliest_choices(unsure_parse(ranking, faq_ranking), limit=len(names.faq)):
        assert choice.title and choice.title[0].isupper()
        assert choice.payload


def test_a_detail_nobody_asked_for_counts_as_a_miss():
    """'flibber jabber' read as inform outside a form went to this fallback: the next miss
    in a row is the second one, so the helpdesk is offered."""
    parse = unsure_parse([("faq", 0.4)], [("faq/plr_view", 0.5)])
    events = session_start() + [user("flibber jabber", "inform", 0.8), action("action_fallback_options"),
                                action("utter_fallback_clarify"), action("action_listen"), miss("blah", parse)]
    assert consecutive_misses(events) == 2
    assert run(events)["fallback_stage"] == "helpdesk"
    # A detail that a form took is not a miss.
    taken = session_start() + [user("Jane", "inform", 0.9), action("sharing_request_form"),
                               action("action_listen"), miss("blah", parse)]
    assert consecutive_misses(taken) == 1

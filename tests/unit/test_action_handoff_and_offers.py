"""action_helpdesk_details and action_accept_offer with real Trackers."""
import asyncio
import subprocess
import sys

import pytest
from rasa_sdk.events import ActionExecuted, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings as settings_module
from actions.handoff import ActionHelpdeskDetails
from actions.offers import ActionAcceptOffer, last_offer
from tests.unit.domain_files import ROOT
from tests.unit.faq_trackers import action, bot, session_start, tracker_from, user

OPT_OUT_BUTTONS = [{"title": "Yes, start a request", "payload": "/request_opt_out"},
                   {"title": "No thanks", "payload": "/deny"}]


@pytest.fixture
def configured(monkeypatch):
    """HELPDESK_* from the environment; the rest of the settings from the project's .env."""

    def configure(phone="0345 602 2589", hours=""):
        monkeypatch.setenv("HELPDESK_PHONE", phone)
        monkeypatch.setenv("HELPDESK_HOURS", hours)
        settings_module.get_settings.cache_clear()

    yield configure
    settings_module.get_settings.cache_clear()


def run(action_class, events):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action_class().run(dispatcher, tracker_from(events), {}))
    return dispatcher.messages, result


def test_handoff_gives_the_number_and_no_hours_when_none_are_configured(configured):
    configured(hours="")
    messages, result = run(ActionHelpdeskDetails, session_start() + [user("talk to a person", "human_handoff")])
    assert messages == []
    assert result == [SlotSet("helpdesk_phone", "0345 602 2589"), SlotSet("helpdesk_hours", None)]


def test_handoff_gives_the_configured_hours(configured):
    configured(hours="Monday to Friday, 8am to 6pm")
    _, result = run(ActionHelpdeskDetails, session_start() + [user("when are you open", "helpdesk_hours")])
    assert SlotSet("helpdesk_hours", "Monday to Friday, 8am to 6pm") in result


def test_yes_after_an_opt_out_offer_replays_the_request_intent():
    events = session_start() + [
        user("how do i opt out", "faq"), action("utter_faq"),
        bot("I can record an opt-out request for you. Would you like to start a request?",
            "utter_faq/opt_out_how", OPT_OUT_BUTTONS),
        action("action_listen"), user("yes please", "affirm")]
    messages, result = run(ActionAcceptOffer, events)
    assert messages == []
    assert result[0] == ActionExecuted("action_listen")
    replayed = result[1]
    assert replayed["event"] == "user" and replayed["text"] == "/request_opt_out"
    assert replayed["parse_data"]["intent"] == {"name": "request_opt_out", "confidence": 1.0}
    assert replayed["input_channel"] == "rest"


def test_yes_without_an_offer_moves_on():
    events = session_start() + [user("what is a uln", "faq"), action("utter_faq"),
                                bot("A ULN is ...", "utter_faq/uln_what"), action("action_listen"),
                                user("ok", "affirm")]
    messages, result = run(ActionAcceptOffer, events)
    assert messages == [] and result == [FollowupAction("utter_anything_else")]


def test_only_the_latest_bot_message_counts_as_the_offer():
    events = [user("how do i opt out", "faq"), bot("Would you like to?", "utter_faq/opt_out_how", OPT_OUT_BUTTONS),
              user("thanks", "thanks"), bot("You're welcome.", "utter_welcome"), user("yes", "affirm")]
    assert last_offer(events) is None


def test_a_decline_button_is_not_an_offer():
    events = [bot("Anything else?", "utter_x", [{"title": "No thanks", "payload": "/deny"}]), user("yes", "affirm")]
    assert last_offer(events) is None


MY_MODULES = ["actions.handoff", "actions.fallback", "actions.faq_followup", "actions.offers"]
MY_ACTIONS = {"action_helpdesk_details", "action_fallback_options", "action_answer_followup",
              "action_accept_offer"}


def test_the_action_server_walk_finds_these_modules():
    """`python -m rasa_sdk --actions actions` imports every module pkgutil finds in the package."""
    import pkgutil

    import actions

    found = {f"actions.{name}" for _, name, _ in pkgutil.walk_packages(actions.__path__)}
    assert set(MY_MODULES) <= found


def test_the_modules_register_their_actions_with_rasa_sdk():
    # A fresh interpreter, so only these modules' Action subclasses are scanned.
    script = (
        "from rasa_sdk.executor import ActionExecutor\n"
        "executor = ActionExecutor()\n"
        f"for module in {MY_MODULES!r}:\n"
        "    executor.register_package(module)\n"
        "print(' '.join(sorted(executor.actions)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert MY_ACTIONS <= set(done.stdout.split())

"""Both action servers down: every channel answers with a clear message and the helpdesk
number (not silence), nothing of the failed message is kept, and the next message after the
action servers restart carries on where the conversation was."""
from __future__ import annotations

import uuid

import pytest

from testkit.opt_out import DERWA, REFERENCE, check_record, opt_out_steps
from testkit.web_learner import WebLearner, run, texts
from tests.voice.twilio_calls import Caller

pytestmark = pytest.mark.stack
HELPDESK = "0345 602 2589"
FAULT = "something went wrong on our side"


def caller(scaled) -> Caller:
    public = scaled.config.public_url
    return Caller(public, {**scaled.env, "TWILIO_PUBLIC_URL": public})


def user_texts(scaled, sender):
    return [e["text"] for e in scaled.tracker(0, sender)["events"] if e["event"] == "user"]


def test_action_servers_down_then_back(scaled):
    sender = f"actions-down-{uuid.uuid4().hex[:8]}"
    steps = opt_out_steps(DERWA)
    for text, expected in steps[:2]:
        assert expected in scaled.chat(0, sender, text)
    learner = run(WebLearner(scaled.config.public_url).connect())
    try:
        for text, expected in steps[:2]:
            assert expected in texts(run(learner.say(text)))
        before = user_texts(scaled, sender)
        phone = caller(scaled)
        phone.ring()

        scaled.stack.stop_actions()
        try:
            details = steps[2][0]  # the form's validation runs on the action server
            answer = scaled.say(1, sender, details)
            assert answer.status == 200 and answer.headers.get("X-PLR-Turn") == "failed", answer
            assert HELPDESK in answer.texts and "different family name" not in answer.texts
            web = texts(run(learner.say(details)))
            assert HELPDESK in web and "different family name" not in web, web
            # The caller hears an apology and is put through to the helpdesk.
            spoken = phone.say("I want to stop sharing my record")
            assert FAULT in spoken.text and spoken.dial is not None, spoken.body
            status, report = scaled.health(0)
            assert status == 503 and report["components"]["action_server"]["status"].startswith("failing")
            assert user_texts(scaled, sender) == before, "the failed message was not kept"
        finally:
            for index in range(len(scaled.config.action_ports)):
                scaled.stack.start_actions(index)

        # The next message after the restart works, from where the conversation was.
        again = caller(scaled)
        again.ring()
        spoken = again.say("I want to stop sharing my record")
        assert FAULT not in spoken.text and spoken.gather is not None, spoken.body
        assert steps[2][1] in scaled.chat(0, sender, details)
        assert steps[2][1] in texts(run(learner.say(details)))
        for text, expected in steps[3:]:
            assert expected in scaled.chat(1, sender, text)
        reference = REFERENCE.search(scaled.chat(0, sender, "yes"))
        assert reference
        check_record(scaled.staff_get(reference.group(0)), DERWA, sender)
    finally:
        run(learner.close())
    assert scaled.health(1)[0] == 200

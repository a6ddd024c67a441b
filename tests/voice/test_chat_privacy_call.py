"""The chat's own privacy on the phone (issue 20): a caller who says "privacy" or asks what is done
with their details hears the telephone variation of utter_faq/chat_privacy, with the configured
retention period and the helpdesk number filled in, and the call carries on."""
from __future__ import annotations

import pytest

from tests.voice.test_voice_calls import caller, listens

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("said", ["Privacy.", "what do you do with my details"])
def test_a_caller_asking_about_privacy_hears_what_this_call_keeps(stack, said):
    call = caller(stack)
    call.ring()
    reply = call.say(said)
    listens(reply)
    days = stack.env.get("TRACKER_RETENTION_DAYS") or "30"
    request_days = stack.env.get("RETENTION_DAYS") or "365"
    assert f"kept for {days} days after the call" in reply.text, reply.text
    assert f"a request for {request_days} days after it closes" in reply.text, reply.text
    assert "staff can see it" in reply.text and "deleted" in reply.text, reply.text
    assert "{" not in reply.text and "chat" not in reply.text.lower(), "a caller hears about the call, not a chat"
    call.hang_up()

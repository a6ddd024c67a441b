"""Safeguarding on the web page's socket.io channel (issue 20): distress mid-form gets the
helplines and a "Carry on with my request" button, and its payload carries on with the form."""
from __future__ import annotations

import pytest

from channels.socketio_channel import parse_origins
from tests.webchat.test_socketio_channel import SocketChat, run

pytestmark = pytest.mark.stack


def texts(replies):
    return " ".join(r.get("text") or "" for r in replies)


def test_distress_mid_form_on_the_web_page(stack):
    origin = parse_origins(stack.env.get("WEB_ALLOWED_ORIGINS"))[0]

    async def scenario():
        chat = await SocketChat(stack.config.rasa_url, origin).connect()
        turns = []
        try:
            await chat.session()
            for text in ("I want to opt out", "yes", "Jane", "my mum hits me when she's drunk"):
                await chat.say(text)
                turns.append(await chat.replies())
            button = next(b for r in turns[-1] for b in r.get("quick_replies", [])
                          if b["title"] == "Carry on with my request")
            await chat.say(button["payload"])
            turns.append(await chat.replies())
        finally:
            await chat.close()
        return turns

    turns = run(scenario())
    assert "family name" in texts(turns[2])
    helplines = texts(turns[3])
    for number in ("999", "116 123", "0800 1111", "85258"):
        assert number in helplines, helplines
    assert "family name" not in helplines
    assert "family name" in texts(turns[4]), turns[4]

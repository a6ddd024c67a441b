"""Continuity across Rasa servers: the conversation lives in PostgreSQL, not in a server, so it
can move between servers turn by turn, and survives one of them being killed."""
from __future__ import annotations

import uuid

import pytest

from testkit.opt_out import ALYS, BRONWEN, CAITLIN, REFERENCE, check_record, opt_out_steps
from testkit.web_learner import WebLearner, run, texts

pytestmark = pytest.mark.stack


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_a_conversation_alternating_between_the_two_rasa_servers_completes_an_opt_out(scaled):
    sender = new_sender("alternate")
    steps = opt_out_steps(ALYS)
    for turn_number, (text, expected) in enumerate(steps):
        server = turn_number % 2
        reply = scaled.chat(server, sender, text)
        assert expected in reply, (server, text, reply)
        if turn_number == 2:
            # The details just given on one server are visible on the other at once.
            slots = scaled.tracker(1 - server, sender)["slots"]
            assert (slots["given_name"], slots["family_name"], slots["postcode"]) == (
                ALYS.given, ALYS.family, ALYS.postcode)
    reply = scaled.chat(len(steps) % 2, sender, "yes")
    reference = REFERENCE.search(reply)
    assert reference, reply
    check_record(scaled.staff_get(reference.group(0)), ALYS, sender)
    assert len(scaled.requests_for(sender)) == 1
    for server in (0, 1):
        assert scaled.tracker(server, sender)["slots"]["given_name"] is None, "personal slots cleared"


@pytest.mark.kills_a_server
def test_sigkill_of_one_rasa_server_mid_conversation(scaled):
    """A web learner (socket.io through nginx, sticky to one server) and a REST conversation on
    the same server are half-way through; that server is killed with SIGKILL. Both finish on
    the other server with every detail they had given."""
    rest_sender = new_sender("sigkill")
    web_steps, rest_steps = opt_out_steps(CAITLIN), opt_out_steps(BRONWEN)

    async def scenario():
        learner = await WebLearner(scaled.config.public_url).connect()
        try:
            victim = {"r1": 0, "r2": 1}[learner.node]
            survivor = 1 - victim
            for text, expected in web_steps[:4]:
                assert expected in texts(await learner.say(text)), text
            for text, expected in rest_steps[:4]:
                assert expected in scaled.chat(victim, rest_sender, text)

            scaled.stack.kill_rasa(victim)
            assert f"rasa-{victim + 1}" not in scaled.alive()

            # The REST conversation continues on the other server with its details intact.
            slots = scaled.tracker(survivor, rest_sender)["slots"]
            assert (slots["given_name"], slots["family_name"], slots["date_of_birth"], slots["postcode"]) == (
                BRONWEN.given, BRONWEN.family, BRONWEN.dob_iso, BRONWEN.postcode)
            for text, expected in rest_steps[4:]:
                assert expected in scaled.chat(survivor, rest_sender, text)
            rest_reference = REFERENCE.search(scaled.chat(survivor, rest_sender, "yes")).group(0)

            # The page reconnects (nginx fails over) and resumes the same conversation.
            token = learner.token
            await learner.reconnect()
            assert learner.token == token, "the conversation was resumed, not restarted"
            assert learner.node == ("r2" if victim == 0 else "r1")
            web_slots = scaled.tracker(survivor, learner.sender_id)["slots"]
            assert (web_slots["given_name"], web_slots["family_name"]) == (CAITLIN.given, CAITLIN.family)
            for text, expected in web_steps[4:]:
                assert expected in texts(await learner.say(text)), text
            web_reply = texts(await learner.say("yes"))
            web_reference = REFERENCE.search(web_reply)
            assert web_reference, web_reply
            return rest_reference, web_reference.group(0), learner.sender_id
        finally:
            await learner.close()

    rest_reference, web_reference, web_sender = run(scenario())
    check_record(scaled.staff_get(rest_reference), BRONWEN, rest_sender)
    web_record = scaled.staff_get(web_reference)
    check_record(web_record, CAITLIN, web_sender)
    assert web_record["channel"] == "web"

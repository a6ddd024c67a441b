"""H3: one socket.io connection can no longer mint session after session, each with a fresh
message allowance; nor can one address, while its neighbours keep theirs.

Against the limited stack (tests/hardening/conftest.py): 3 new sessions per socket, 10 per
address, a minute's refill far slower than the test."""
from __future__ import annotations

import pytest

from tests.hardening.sockets import Socket, run

pytestmark = pytest.mark.stack


def test_one_socket_minting_50_sessions_is_refused_after_its_allowance(limited):
    async def scenario():
        socket = await Socket(limited, "198.51.100.10").connect()
        try:
            return [await socket.session(start_again=True) for _ in range(50)]
        finally:
            await socket.close()

    answers = run(scenario())
    granted = [data for event, data in answers if event == "session_confirm"]
    refused = [data for event, data in answers if event == "chat_error"]
    assert len(granted) == 3, answers[:5]
    assert len(refused) == 47
    assert all(data["reason"] == "too_many_sessions" and data["retry_after"] >= 1 for data in refused)
    assert len(set(granted)) == 3


def test_resuming_a_session_is_not_a_new_one(limited):
    async def scenario():
        socket = await Socket(limited, "198.51.100.11").connect()
        try:
            event, token = await socket.session()
            assert event == "session_confirm"
            # Reloads of the page resume the same conversation any number of times.
            resumed = [await socket.session(token) for _ in range(10)]
            said = await socket.say(token, "what is a ULN?")
            return token, resumed, said
        finally:
            await socket.close()

    token, resumed, said = run(scenario())
    assert resumed == [("session_confirm", token)] * 10
    assert any(event == "bot_uttered" and "10-digit" in data.get("text", "") for event, data in said), said


def test_an_address_gets_its_allowance_of_sessions_and_its_neighbour_keeps_its_own(limited):
    async def scenario():
        answers, sockets = [], []
        try:
            for _ in range(14):  # one session on each of 14 sockets from one address
                socket = await Socket(limited, "198.51.100.20").connect()
                sockets.append(socket)
                answers.append(await socket.session())
            neighbour = await Socket(limited, "198.51.100.21").connect()
            sockets.append(neighbour)
            return answers, await neighbour.session()
        finally:
            for socket in sockets:
                await socket.close()

    answers, neighbour = run(scenario())
    assert [event for event, _ in answers] == ["session_confirm"] * 10 + ["chat_error"] * 4
    assert answers[-1][1]["reason"] == "too_many_sessions"
    assert neighbour[0] == "session_confirm"


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_not_believed():
    """The address is the right-most X-Forwarded-For entry that is not a trusted proxy; what a
    client writes to its left, or sends straight to Rasa, counts for nothing."""
    from channels.client_address import ClientAddress, parse_networks

    addresses = ClientAddress(parse_networks("127.0.0.0/8,::1"))
    assert addresses.of("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert addresses.of("127.0.0.1", "198.51.100.1, 203.0.113.5") == "203.0.113.5"
    assert addresses.of("127.0.0.1", "198.51.100.1, 203.0.113.5, 127.0.0.1") == "203.0.113.5"
    assert addresses.of("127.0.0.1", "127.0.0.88") == "127.0.0.88"
    assert addresses.of("127.0.0.1", None) == "127.0.0.1"
    assert addresses.of("127.0.0.1", "not-an-address, 203.0.113.9") == "203.0.113.9"
    assert addresses.of("::ffff:192.0.2.7", None) == "192.0.2.7"

"""H3: messages per client address, new REST conversations per address, and the bounded queue
of turns, against the limited stack (tests/hardening/conftest.py: 60 messages a minute with a
burst of 20 per address, 5 new REST conversations per address, at most 12 turns waiting in
the server and 4 per address)."""
from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from channels.guard import SLOW_DOWN_TEXT, busy_text
from tests.hardening.conftest import rest
from tests.hardening.sockets import Socket, run

pytestmark = pytest.mark.stack
QUESTIONS = ["what is a ULN?", "what is a PLR?", "who can see my learning record?"]


def texts(body):
    return [m.get("text", "") for m in body] if isinstance(body, list) else []


def neighbour_latencies(stack, address, sender, count=6):
    times = []
    for index in range(count):
        status, _, body, took = rest(stack, sender, QUESTIONS[index % len(QUESTIONS)], address)
        assert status == 200 and texts(body) and texts(body) != [SLOW_DOWN_TEXT], (status, body)
        times.append(took)
    return times


def test_an_address_over_its_allowance_is_slowed_and_its_neighbour_is_still_answered(limited):
    neighbour = f"neighbour-{uuid.uuid4().hex[:8]}"
    neighbour_latencies(limited, "192.0.2.50", neighbour, 2)  # warm-up: first turns are slower
    baseline = statistics.median(neighbour_latencies(limited, "192.0.2.50", neighbour))

    flood_senders = [f"flood-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    outcomes, stop = [], threading.Event()
    lock = threading.Lock()

    def flood(worker):
        index = 0
        while not stop.is_set():
            status, head, body, _ = rest(limited, flood_senders[worker % 4], f"what is a ULN? {index}", "192.0.2.60")
            with lock:
                outcomes.append((status, head.get("Retry-After"), texts(body)))
            index += 1

    with ThreadPoolExecutor(8) as pool:
        for worker in range(8):
            pool.submit(flood, worker)
        time.sleep(3)  # the flood's burst is used up
        during = neighbour_latencies(limited, "192.0.2.50", neighbour)
        stop.set()

    answered = [o for o in outcomes if o[0] == 200]
    slowed = [o for o in outcomes if o[0] == 429]
    busy = [o for o in outcomes if o[0] == 503]
    print(f"flood: {len(outcomes)} messages, {len(answered)} answered, {len(slowed)} slowed (429), "
          f"{len(busy)} busy (503); neighbour p50 {baseline * 1000:.0f} ms before, "
          f"{statistics.median(during) * 1000:.0f} ms during")
    assert len(answered) + len(slowed) + len(busy) == len(outcomes)
    assert all(texts == [SLOW_DOWN_TEXT] and int(retry) >= 1 for _, retry, texts in slowed)
    assert all(texts == [busy_text()] for _, _, texts in busy)
    # The burst of 20 and a refill of one a second: everything else was refused cheaply.
    elapsed_allowance = 20 + 60 / 60 * 30
    assert len(answered) <= elapsed_allowance and len(slowed) > len(answered)
    assert statistics.median(during) <= 2 * baseline, (baseline, during)


def user_turns(stack, sender):
    token = stack.env["RASA_API_TOKEN"]
    with urllib.request.urlopen(f"{stack.config.rasa_url}/conversations/{sender}/tracker?token={token}",
                                timeout=30) as response:
        return sum(1 for e in json.loads(response.read())["events"] if e["event"] == "user")


def test_socketio_messages_count_against_their_address(limited):
    """45 messages from one address on three sockets (15 each, within each conversation's own
    allowance of 40): the address's burst of 20, and its refill, is what is handled; every
    other message is answered "please wait" (or "very busy"), none is lost."""

    async def scenario():
        sockets = [await Socket(limited, "192.0.2.61").connect() for _ in range(3)]
        try:
            tokens = [(await socket.session())[1] for socket in sockets]
            started = time.monotonic()
            for index in range(45):
                await sockets[index % 3].client.emit("user_uttered", {"message": f"what is a ULN? {index}",
                                                                      "session_id": tokens[index % 3]})
            events = []
            for socket in sockets:
                while time.monotonic() - started < 120:
                    try:
                        events.append(await socket.next_event(10))
                    except asyncio.TimeoutError:
                        break
            return [token.split(".")[0] for token in tokens], events, time.monotonic() - started
        finally:
            for socket in sockets:
                await socket.close()

    senders, events, took = run(scenario())
    refusals = [data.get("text") for event, data in events if event == "bot_uttered"
                and data.get("text") in (SLOW_DOWN_TEXT, busy_text())]
    handled = sum(user_turns(limited, sender) for sender in senders)
    print(f"socket.io, one address: {handled} handled, {len(refusals)} refused in {took:.0f} s")
    assert handled + len(refusals) == 45
    assert refusals.count(SLOW_DOWN_TEXT) >= 45 - 20 - int(took) - 1
    assert handled <= 20 + int(took) + 1


def test_new_rest_conversations_per_address(limited):
    address = "192.0.2.70"
    senders = [f"rest-new-{uuid.uuid4().hex[:8]}" for _ in range(7)]
    statuses = [rest(limited, sender, "hello", address)[:3] for sender in senders]
    assert [s for s, _, _ in statuses[:5]] == [200] * 5
    for status, head, body in statuses[5:]:
        assert status == 429 and texts(body) == [SLOW_DOWN_TEXT] and int(head["Retry-After"]) >= 1
    # A conversation already going carries on, and the next address starts its own.
    assert rest(limited, senders[0], "what is a ULN?", address)[0] == 200
    assert rest(limited, senders[6], "what is a ULN?", "192.0.2.71")[0] == 200


def test_the_queue_is_bounded_and_a_refused_learner_is_told_the_assistant_is_busy(limited):
    """40 learners on 40 addresses at the same moment (one event loop, so the requests really
    arrive together): at most 12 turns wait in the server, the others are told at once to try
    again in a minute or call the helpdesk."""
    url = f"{limited.config.rasa_url}/webhooks/rest/webhook"

    async def scenario():
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            async def one(index):
                started = time.monotonic()
                body = {"sender": f"queue-{index}-{uuid.uuid4().hex[:6]}", "message": "what is a ULN?"}
                async with http.post(url, json=body, headers={"X-Forwarded-For": f"203.0.113.{index + 1}"}) as answer:
                    return answer.status, dict(answer.headers), await answer.json(), time.monotonic() - started

            return await asyncio.gather(*[one(index) for index in range(40)])

    results = run(scenario())
    statuses = [status for status, _, _, _ in results]
    busy = [(head, body, took) for status, head, body, took in results if status == 503]
    print(f"queue: {statuses.count(200)} answered, {len(busy)} told busy")
    assert set(statuses) <= {200, 503}
    assert statuses.count(200) >= 12 and busy
    assert all(texts(body) == [busy_text()] and head.get("Retry-After") for head, body, _ in busy)
    # Refused at once, not after waiting in the queue.
    assert max(took for _, _, took in busy) < max(took for status, _, _, took in results if status == 200)
    assert rest(limited, f"after-queue-{uuid.uuid4().hex[:6]}", "what is a ULN?", "203.0.113.99")[0] == 200


def test_one_address_cannot_fill_the_queue(limited):
    """10 turns at once from one address (5 conversations, 2 each): at most 4 wait, while a
    learner elsewhere, arriving with them, is answered."""
    url = f"{limited.config.rasa_url}/webhooks/rest/webhook"
    senders = [f"queue-one-{uuid.uuid4().hex[:6]}" for _ in range(5)]

    async def scenario():
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            async def one(sender, address):
                body = {"sender": sender, "message": "what is a PLR?"}
                async with http.post(url, json=body, headers={"X-Forwarded-For": address}) as answer:
                    await answer.read()
                    return answer.status

            crowd = [one(senders[index % 5], "203.0.113.150") for index in range(10)]
            return await asyncio.gather(*crowd, one(f"elsewhere-{uuid.uuid4().hex[:6]}", "203.0.113.200"))

    statuses = run(scenario())
    crowd = statuses[:10]
    assert set(crowd) <= {200, 429, 503} and crowd.count(503) >= 1, crowd
    assert statuses[10] == 200, statuses

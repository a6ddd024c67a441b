"""1,000 messages in 10 seconds from one sender, on each route a sender can flood: every one
is answered (a reply, or a polite refusal), nothing answers 5xx, nothing queues up behind the
conversation's lock, and the conversation works normally afterwards."""
from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import redis
from twilio.request_validator import RequestValidator

from channels.guard import SLOW_DOWN_TEXT
from testkit.web_learner import WebLearner, run
from tests.faults import tally
from tests.scale.netclient import raw
from tests.voice.twilio_calls import Caller

pytestmark = pytest.mark.stack
MESSAGES, SECONDS, WORKERS = 1000, 10.0, 16


def paced(send, workers: int = WORKERS):
    """Call send(i) for i in 0..MESSAGES-1, spread evenly over SECONDS, from a thread pool."""
    started = time.monotonic()
    results, errors = [], []
    lock = threading.Lock()

    def one(index):
        delay = started + index * SECONDS / MESSAGES - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            outcome = send(index)
        except Exception as exc:  # an exception is a lost request: counted and failed below
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            return
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(MESSAGES)))
    return results, errors, time.monotonic() - started


def no_locks_left(scaled):
    client = redis.Redis(port=scaled.config.redis_port, db=1, socket_timeout=2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not client.keys("plr:lock:*"):
            return True
        time.sleep(0.5)
    return False


def user_events(scaled, sender):
    return [e for e in scaled.tracker(0, sender)["events"] if e["event"] == "user"]


def test_rest_flood_from_one_sender(scaled):
    sender = f"flood-rest-{uuid.uuid4().hex[:8]}"
    url = f"{scaled.rasa_url(0)}/webhooks/rest/webhook"

    def send(index):
        body = json.dumps({"sender": sender, "message": f"what is a ULN? {index}"}).encode()
        status, headers, answer = raw(url, "POST", body=body, headers={"Content-Type": "application/json"})
        texts = [m.get("text", "") for m in json.loads(answer)]
        return status, headers.get("x-plr-turn"), texts

    results, errors, took = paced(send)
    statuses = Counter(status for status, _, _ in results)
    answered = sum(1 for status, turn, texts in results if status == 200 and not turn and texts)
    refused = sum(1 for status, _, texts in results if status == 429 and texts == [SLOW_DOWN_TEXT])
    for outcome, n in (("answered", answered), ("refused politely (429)", refused), ("lost", len(errors))):
        tally.count("flood: REST, one sender", outcome, n)
    print(f"REST flood: {MESSAGES} in {took:.1f} s -> {dict(statuses)}; answered {answered}, refused {refused}")
    assert not errors, errors[:3]
    assert answered + refused == MESSAGES, statuses
    assert answered >= 1 and refused >= 1
    assert len(user_events(scaled, sender)) == answered, "every answered message, and only those, was kept"
    assert no_locks_left(scaled), "conversation locks left behind in Redis"
    time.sleep(2)
    assert scaled.chat(1, sender, "what is a ULN?")


def test_socketio_flood_from_one_sender(scaled):
    """Straight to one Rasa server (a flood through nginx meets the per-address limit first,
    tested in tests/scale/test_edge.py)."""

    async def scenario():
        learner = await WebLearner(scaled.rasa_url(1), origin=scaled.config.public_url).connect()
        try:
            started = time.monotonic()
            for index in range(MESSAGES):
                await learner.client.emit("user_uttered", {"message": f"what is a ULN? {index}",
                                                           "session_id": learner.token})
                await asyncio.sleep(max(0.0, started + (index + 1) * SECONDS / MESSAGES - time.monotonic()))
            took = time.monotonic() - started
            slow_downs, replies = 0, 0
            while True:
                try:
                    event, data = await learner.next_event(timeout=8)
                except asyncio.TimeoutError:
                    break
                if event == "bot_uttered" and data.get("text") == SLOW_DOWN_TEXT:
                    slow_downs += 1
                else:
                    replies += 1
            return learner.sender_id, slow_downs, replies, took
        finally:
            await learner.close()

    sender, slow_downs, replies, took = run(scenario())
    handled = len([e for e in scaled.tracker(1, sender)["events"] if e["event"] == "user"])
    tally.count("flood: socket.io, one sender", "answered", handled)
    tally.count("flood: socket.io, one sender", "refused politely", slow_downs)
    tally.count("flood: socket.io, one sender", "lost", MESSAGES - handled - slow_downs)
    print(f"socket.io flood: {MESSAGES} in {took:.1f} s -> handled {handled} ({replies} bot messages), "
          f"refused {slow_downs}")
    assert handled + slow_downs == MESSAGES
    assert handled >= 1 and slow_downs >= 1 and replies >= handled
    assert no_locks_left(scaled)


def test_messages_a_page_buffered_into_one_request_are_all_answered(scaled):
    """A client that could not send for a moment (a slow network, a busy server) sends what it
    buffered in one long-polling POST. python-engineio used to drop a POST with more than 16
    packets whole while answering 200: every one of these messages must be answered instead."""
    burst = 120

    async def scenario():
        learner = await WebLearner(scaled.config.public_url).connect()
        try:
            # No await yields between these: the client's writer sends them in one POST.
            for index in range(burst):
                await learner.client.emit("user_uttered", {"message": f"what is a ULN? {index}",
                                                           "session_id": learner.token})
            slow_downs, replies = 0, 0
            while True:
                try:
                    event, data = await learner.next_event(timeout=8)
                except asyncio.TimeoutError:
                    break
                if event == "bot_uttered" and data.get("text") == SLOW_DOWN_TEXT:
                    slow_downs += 1
                else:
                    replies += 1
            return learner.sender_id, slow_downs, replies
        finally:
            await learner.close()

    sender, slow_downs, replies = run(scenario())
    handled = len([e for e in scaled.tracker(0, sender)["events"] if e["event"] == "user"])
    tally.count("burst: socket.io, one POST", "answered", handled)
    tally.count("burst: socket.io, one POST", "refused politely", slow_downs)
    tally.count("burst: socket.io, one POST", "lost", burst - handled - slow_downs)
    assert handled + slow_downs == burst, (handled, slow_downs)
    assert handled >= 1 and replies >= handled


def test_voice_flood_from_one_call(scaled):
    """One caller's webhook hammered through nginx from one address: Twilio always gets TwiML."""
    public = scaled.config.public_url
    env = {**scaled.env, "TWILIO_PUBLIC_URL": public}
    caller = Caller(public, env)
    caller.ring()
    url = caller.next_url
    signer = RequestValidator(env["TWILIO_AUTH_TOKEN"])
    signed_url = caller.signed_url(url)
    path = url[len(public):]

    def send(index):
        params = caller.params("in-progress", SpeechResult=f"what is a ULN {index}", Confidence="0.9")
        status, _, body = raw(public, "POST", path, urlencode(params).encode(), source="127.0.0.88", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signer.compute_signature(signed_url, params)})
        return status, body.decode(errors="replace")

    results, errors, took = paced(send)
    statuses = Counter(status for status, _ in results)
    twiml = [body for status, body in results if status == 200 and "<Response>" in body and "</Response>" in body]
    # Refused at the edge (per address), or by the channel's per-call limit (it apologises and
    # puts the caller through to the helpdesk), or answered.
    at_edge = [body for body in twiml if "cannot take your call" in body]
    by_channel = [body for body in twiml if "something went wrong on our side" in body and "<Dial" in body]
    tally.count("flood: voice, one call", "answered (TwiML)", len(twiml) - len(at_edge) - len(by_channel))
    tally.count("flood: voice, one call", "refused politely at the edge (spoken)", len(at_edge))
    tally.count("flood: voice, one call", "refused politely per call (put through)", len(by_channel))
    tally.count("flood: voice, one call", "lost", MESSAGES - len(twiml))
    print(f"voice flood: {MESSAGES} in {took:.1f} s -> {dict(statuses)}; TwiML {len(twiml)}: edge refusals "
          f"{len(at_edge)}, per-call refusals {len(by_channel)}")
    assert not errors, errors[:3]
    assert len(twiml) == MESSAGES, statuses
    assert at_edge and by_channel, "both limits took part"
    assert took < SECONDS + 30, f"answers queued up behind the conversation lock ({took:.0f} s)"
    assert no_locks_left(scaled)


def test_backend_flood_from_one_address(scaled):
    """The backend behind nginx's internal side: a runaway client is held to its address's rate,
    and every request it made was either stored or refused with 429 (never half done)."""
    url = scaled.config.backend_lb_url + "/v1/requests"
    conversation = f"flood-backend-{uuid.uuid4().hex[:8]}"
    key = scaled.env["ACTIONS_API_KEY"]
    body = json.dumps({"type": "opt_in", "given_name": "Morwenna", "family_name": "Polglaze",
                       "date_of_birth": "1992-10-10", "postcode": "TR2 5AB", "channel": "other",
                       "conversation_id": conversation}).encode()

    def send(index):
        status, _, _ = raw(url, "POST", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {key}",
            "Idempotency-Key": f"{conversation}-{index}"})
        return status

    results, errors, took = paced(send)
    statuses = Counter(results)
    tally.count("flood: backend, one address", "stored (201)", statuses[201])
    tally.count("flood: backend, one address", "refused politely (429)", statuses[429])
    tally.count("flood: backend, one address", "lost", MESSAGES - statuses[201] - statuses[429])
    print(f"backend flood: {MESSAGES} in {took:.1f} s -> {dict(statuses)}")
    assert not errors, errors[:3]
    assert set(statuses) <= {201, 429} and statuses[429] > 0
    assert len(scaled.requests_for(conversation)) == statuses[201]

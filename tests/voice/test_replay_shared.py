"""Replayed telephone requests recognised across Rasa servers (channels/replay.py), against a real
redis-server: two caches, or two channel servers, stand for two Rasa processes behind nginx."""
from __future__ import annotations

import asyncio
import logging
import re
import uuid

import pytest
import redis
import redis.asyncio

from channels.replay import KEY_PREFIX, ReplayCache, SharedReplayCache, configured_cache, request_key
from testkit.ports import free_port
from testkit.redis_server import start_redis

CALL_SID = "CA" + "5" * 32  # synthetic
KEY = request_key(CALL_SID, "idem-1", "sig", "https://voice.example.org/webhook", b"body")
OTHER_KEY = request_key(CALL_SID, "idem-2", "sig", "https://voice.example.org/webhook", b"body")
DB = 1


@pytest.fixture
def client(redis_port):
    client = redis.Redis(port=redis_port, db=DB, socket_timeout=2)
    client.flushdb()
    yield client
    client.flushdb()


def shared(port: int, **options) -> SharedReplayCache:
    return SharedReplayCache(redis.asyncio.Redis(port=port, db=DB, socket_timeout=2, socket_connect_timeout=2),
                             **options)


class Producer:
    """A turn: numbered answers, so a second turn shows."""

    def __init__(self, name: str, delay: float = 0.0, fail: bool = False) -> None:
        self.name, self.delay, self.fail, self.calls = name, delay, fail, 0

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the turn failed")
        return f"<Response><Say>{self.name} {self.calls}</Say></Response>"


def test_a_second_server_answers_a_replay_with_the_first_servers_answer(redis_port, client):
    async def scenario():
        first, second = shared(redis_port), shared(redis_port)
        assert await first.start() and await second.start()
        a, b = Producer("a"), Producer("b")
        try:
            answered = await first.once(KEY, a)
            replayed = await second.once(KEY, b)
            again = await first.once(KEY, a)
            other = await second.once(OTHER_KEY, b)
        finally:
            await first.close()
            await second.close()
        return answered, replayed, again, other, a.calls, b.calls, second.replays

    answered, replayed, again, other, a_calls, b_calls, replays = asyncio.run(scenario())
    assert answered == ("<Response><Say>a 1</Say></Response>", False)
    assert replayed == ("<Response><Say>a 1</Say></Response>", True)
    assert again == replayed
    assert other == ("<Response><Say>b 1</Say></Response>", False)  # Twilio's next request: a new turn
    assert (a_calls, b_calls, replays) == (1, 1, 1)

    # Redis holds hashed keys only, each for the window, with its answer.
    keys = sorted(k.decode() for k in client.keys("*"))
    assert len(keys) == 2 and all(re.fullmatch(re.escape(KEY_PREFIX) + "[0-9a-f]{64}", k) for k in keys)
    assert not any(CALL_SID in k or CALL_SID.lower() in k or KEY in k for k in keys)
    assert all(590_000 < client.pttl(k) <= 600_000 for k in keys)
    assert b"a 1" in client.get(SharedReplayCache(client).redis_key(KEY))


def test_a_replay_during_the_first_turn_waits_for_its_answer_on_the_other_server(redis_port, client):
    async def together():
        first, second = shared(redis_port), shared(redis_port)
        a, b, same_server = Producer("a", delay=0.5), Producer("b"), Producer("a2")

        async def later(cache, produce):
            await asyncio.sleep(0.1)  # the first turn is under way
            return await cache.once(KEY, produce)

        try:
            results = await asyncio.gather(first.once(KEY, a), later(second, b), later(first, same_server))
        finally:
            await first.close()
            await second.close()
        return results, a.calls, b.calls, same_server.calls

    results, a_calls, b_calls, same_calls = asyncio.run(together())
    answer = "<Response><Say>a 1</Say></Response>"
    assert results == [(answer, False), (answer, True), (answer, True)]
    assert (a_calls, b_calls, same_calls) == (1, 0, 0)


def test_the_answer_expires_with_the_window(redis_port, client):
    async def scenario():
        first, second = shared(redis_port, window=1.0), shared(redis_port, window=1.0)
        a, b = Producer("a"), Producer("b")
        try:
            answered = await first.once(KEY, a)
            within = await second.once(KEY, b)
            ttl = client.pttl(first.redis_key(KEY))
            await asyncio.sleep(1.2)
            after = await second.once(KEY, b)
        finally:
            await first.close()
            await second.close()
        return answered, within, ttl, after

    answered, within, ttl, after = asyncio.run(scenario())
    assert within == (answered[0], True)
    assert 0 < ttl <= 1000
    assert after == ("<Response><Say>b 1</Say></Response>", False)


def test_a_failed_first_turn_leaves_no_answer_and_the_repeat_tries_for_itself(redis_port, client):
    async def scenario():
        first, second = shared(redis_port), shared(redis_port)
        try:
            with pytest.raises(RuntimeError):
                await first.once(KEY, Producer("a", fail=True))
            await asyncio.sleep(0.05)  # the claim is dropped in a task of its own
            return await second.once(KEY, Producer("b"))
        finally:
            await first.close()
            await second.close()

    assert asyncio.run(scenario()) == ("<Response><Say>b 1</Say></Response>", False)


def test_a_claim_left_by_a_dead_server_lapses_after_its_lease(redis_port, client):
    async def scenario():
        dead, alive = shared(redis_port, lease=0.3, poll=0.02), shared(redis_port, lease=0.3)
        try:
            # A claim whose server was killed mid-turn: never answered, never dropped.
            assert await dead.client.set(dead.redis_key(KEY), b"c:gone", nx=True, px=300)
            started = asyncio.get_running_loop().time()
            result = await alive.once(KEY, Producer("b"))
            return result, asyncio.get_running_loop().time() - started
        finally:
            await dead.close()
            await alive.close()

    result, waited = asyncio.run(scenario())
    assert result == ("<Response><Say>b 1</Say></Response>", False)
    assert 0.1 < waited < 2


def test_redis_unreachable_at_start_keeps_replays_in_memory_with_a_warning(caplog):
    async def scenario():
        cache = shared(free_port())  # nothing listens there
        try:
            started = await cache.start()
            a = Producer("a")
            first = await cache.once(KEY, a)
            again = await cache.once(KEY, a)
            return started, first, again, a.calls, cache.shared
        finally:
            await cache.close()

    with caplog.at_level(logging.INFO, logger="channels.replay"):
        started, first, again, calls, is_shared = asyncio.run(scenario())
    assert not started and not is_shared
    assert first == ("<Response><Say>a 1</Say></Response>", False) and again == (first[0], True) and calls == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "unreachable at start" in warnings[0]
    assert CALL_SID not in caplog.text and KEY not in caplog.text


def test_redis_failing_during_calls_falls_back_to_memory_then_shares_again(tmp_path, caplog):
    port = free_port()
    services = [start_redis(port, tmp_path, tmp_path / "redis.log")]

    async def scenario():
        cache = shared(port, retry_after=0.2)
        other = shared(port)
        try:
            assert await cache.start()
            services[0].stop()
            down = await cache.once(KEY, Producer("memory"))
            repeat = await cache.once(KEY, Producer("memory-again"))
            services.append(await asyncio.to_thread(start_redis, port, tmp_path, tmp_path / "redis.log"))
            await asyncio.sleep(0.3)
            back = await cache.once(OTHER_KEY, Producer("shared"))
            seen_elsewhere = await other.once(OTHER_KEY, Producer("other"))
            return down, repeat, back, seen_elsewhere, cache.shared
        finally:
            await cache.close()
            await other.close()

    try:
        with caplog.at_level(logging.INFO, logger="channels.replay"):
            down, repeat, back, seen_elsewhere, is_shared = asyncio.run(scenario())
    finally:
        for service in services:
            service.stop()
    assert down == ("<Response><Say>memory 1</Say></Response>", False) and repeat == (down[0], True)
    assert back == ("<Response><Say>shared 1</Say></Response>", False) and seen_elsewhere == (back[0], True)
    assert is_shared
    assert "unreachable during a call" in caplog.text and "reachable again" in caplog.text
    assert CALL_SID not in caplog.text and KEY not in caplog.text


def test_the_lock_store_setting_chooses_the_cache():
    assert isinstance(configured_cache({"LOCK_STORE": "memory"}), ReplayCache)
    assert isinstance(configured_cache({}), ReplayCache)
    cache = configured_cache({"LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6390",
                              "REDIS_DB": "2", "REDIS_PASSWORD": ""})
    assert isinstance(cache, SharedReplayCache)
    kwargs = cache.client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs.get("password")) == ("127.0.0.1", 6390, 2, None)
    with pytest.raises(ValueError, match="REDIS_PORT"):
        configured_cache({"LOCK_STORE": "redis", "REDIS_PORT": "six"})


# --- the channel: two servers behind one public URL, as with make run-scaled ---------------------
TOKEN = "synthetic-auth-token-0123456789"
PUBLIC = "https://voice.example.org"


def test_a_signed_request_replayed_to_another_channel_server_gets_the_first_answer(redis_port, client,
                                                                                     monkeypatch):
    from sanic import Sanic
    from sanic.touchup import TouchUp

    from channels.twilio_voice import PLRTwilioVoiceInput
    from tests.voice.twilio_calls import Caller

    for name, value in {"LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis_port),
                        "REDIS_DB": str(DB), "REDIS_PASSWORD": ""}.items():
        monkeypatch.setenv(name, value)
    # Sanic rewrites its own HTTP classes at an app's start, for the whole process; doing it
    # again for a second app in one process fails, so the second server uses the first's rewrite.
    rewrite = TouchUp.run

    def once_per_process(cls, app):
        try:
            rewrite(app)
        except KeyError:
            pass

    monkeypatch.setattr(TouchUp, "run", classmethod(once_per_process))
    turns = []

    def server(name: str):
        channel = PLRTwilioVoiceInput.from_credentials({"auth_token": TOKEN, "public_url": PUBLIC,
                                                        "dial_number": "+443456022589"})

        async def on_new_message(message):
            turns.append((name, message.text))
            await message.output_channel.send_response(message.sender_id, {"text": f"Hello from server {name}."})

        app = Sanic(f"replay_{name}_{uuid.uuid4().hex[:8]}")
        app.ctx.agent = None
        app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/" + channel.url_prefix())  # as Rasa does
        return app, channel

    async def scenario():
        started, channels = [], []
        try:
            for name in ("a", "b"):
                app, channel = server(name)
                port = free_port()
                srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                              access_log=False)
                await srv.startup()
                await srv.before_start()  # the channel's listeners: the shared cache starts here
                started.append((srv, f"http://127.0.0.1:{port}"))
                channels.append(channel)
            env = {"TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_PUBLIC_URL": PUBLIC}
            to_a = Caller(started[0][1], env, number="+447700900351")
            to_b = Caller(started[1][1], env, number="+447700900351", call_sid=to_a.call_sid)
            params = to_a.params("ringing")
            first = await asyncio.to_thread(to_a.post, to_a.webhook, params, idempotency_token="idem-ring")
            again = await asyncio.to_thread(to_b.post, to_b.webhook, params, idempotency_token="idem-ring")
            fresh = await asyncio.to_thread(to_b.post, to_b.webhook, params, idempotency_token="idem-next")
            return first, again, fresh, [type(c.replays).__name__ for c in channels], [c.replays.replays
                                                                                        for c in channels]
        finally:
            for srv, _ in started:
                await srv.before_stop()
                srv.close()
                await srv.wait_closed()
                await srv.after_stop()

    first, again, fresh, kinds, replays = asyncio.run(scenario())
    assert kinds == ["SharedReplayCache", "SharedReplayCache"]
    assert "Hello from server a." in first.text and again.body == first.body
    assert "Hello from server b." in fresh.text
    assert [server for server, _ in turns] == ["a", "b"] and replays == [0, 1]

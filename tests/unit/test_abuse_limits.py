"""The abuse limits without services (channels/abuse.py, channels/replay.py, the guard's queue
cap); the same limits against the real servers are in tests/hardening."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import abuse, guard
from channels.ratelimit import ConversationLimiter
from channels.replay import ReplayCache, request_key
from tests.clock import Clock, run


def test_keyed_buckets_allow_a_burst_per_key_then_refill():
    clock = Clock()
    buckets = abuse.KeyedBuckets(per_minute=3, burst=3, clock=clock)
    assert [buckets.take("socket-1") for _ in range(5)] == [True, True, True, False, False]
    assert buckets.take("socket-2")
    assert 19 <= buckets.retry_after("socket-1") <= 20
    clock.now += 20  # one every 20 s
    assert buckets.take("socket-1") and not buckets.take("socket-1")


def test_keyed_buckets_stay_bounded():
    buckets = abuse.KeyedBuckets(per_minute=1, burst=1, max_tracked=100, clock=Clock())
    for index in range(1000):
        buckets.take(f"k{index}")
    assert len(buckets._buckets) == 100


def test_ipv6_clients_are_counted_per_64():
    assert abuse.address_key("2001:db8:1:2:aaaa::1") == abuse.address_key("2001:db8:1:2:bbbb::9")
    assert abuse.address_key("2001:db8:1:3::1") != abuse.address_key("2001:db8:1:2::1")
    assert abuse.address_key("192.0.2.1") == "192.0.2.1"


def test_caller_hash_is_keyed_and_hides_the_number():
    first, second = abuse.CallerHash(), abuse.CallerHash()
    assert first("+447700900123") == first("+447700900123") != second("+447700900123")
    assert "7700900123" not in first("+447700900123")


def test_turn_queue_caps_in_all_and_per_address():
    queue = abuse.TurnQueue(max_total=3, max_per_address=2)
    a1, a2 = queue.enter("a"), queue.enter("a")
    assert a1 and a2 and queue.enter("a") is None
    b1 = queue.enter("b")
    assert b1 and queue.enter("c") is None and queue.enter(None) is None
    a1.leave()
    a1.leave()  # leaving twice counts once
    assert queue.total == 2 and queue.enter(None) is not None


def limits(**caps):
    import os

    saved = dict(os.environ)
    try:
        os.environ.update({key: str(value) for key, value in caps.items()})
        return abuse.AbuseLimits.from_env()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def message(sender):
    return UserMessage("what is a ULN?", CollectingOutputChannel(), sender)


def test_guard_answers_busy_beyond_the_queue_cap_without_waiting():
    """Turns beyond PLR_MAX_TURNS_WAITING are refused at once with BUSY; the ones admitted are
    handled; a refused turn leaves no permit or ticket behind."""
    turn_guard = guard.TurnGuard(ConversationLimiter(per_minute=600, burst=100),
                                 limits(PLR_MAX_TURNS_WAITING=3, PLR_MAX_TURNS_WAITING_PER_ADDRESS=2))

    async def scenario():
        release = asyncio.Event()
        handled = []

        async def slow(msg):
            await release.wait()
            handled.append(msg.sender_id)

        tasks = [asyncio.ensure_future(turn_guard.handle(slow, message(f"s{i}"), address=f"192.0.2.{i % 3}"))
                 for i in range(6)]
        await asyncio.sleep(0.01)
        done = [task.result().status for task in tasks if task.done()]
        release.set()
        outcomes = [(await task).status for task in tasks]
        return done, outcomes, handled

    done, outcomes, handled = run(scenario())
    assert done == [guard.BUSY] * 3  # answered before the admitted turns finished
    assert outcomes == [guard.OK] * 3 + [guard.BUSY] * 3
    assert len(handled) == 3 and turn_guard.limits.queue.total == 0


def test_guard_slows_an_address_over_its_allowance_and_not_its_neighbour():
    turn_guard = guard.TurnGuard(ConversationLimiter(per_minute=600, burst=100),
                                 limits(MESSAGES_PER_ADDRESS_PER_MINUTE=60, MESSAGES_PER_ADDRESS_BURST=3))

    async def quick(msg):
        return None

    async def scenario():
        flood = [(await turn_guard.handle(quick, message(f"f{i}"), address="192.0.2.7")) for i in range(5)]
        other = await turn_guard.handle(quick, message("n"), address="192.0.2.8")
        return flood, other

    flood, other = run(scenario())
    assert [o.status for o in flood] == [guard.OK] * 3 + [guard.RATE_LIMITED] * 2
    assert flood[-1].retry_after >= 1 and other.status == guard.OK
    # A refused message does not keep its conversation's place: that one can still send.
    assert turn_guard.limiter._buckets["f3"].in_flight == 0


def test_replay_cache_answers_a_repeat_once_and_forgets_after_the_window():
    clock = Clock()
    cache = ReplayCache(window=600, clock=clock)
    calls = []

    async def produce():
        calls.append(1)
        await asyncio.sleep(0.01)
        return f"<Response>{len(calls)}</Response>"

    async def scenario():
        key = request_key("CA" + "0" * 32, "idem", "sig", "https://x/webhook", b"body")
        together = await asyncio.gather(cache.once(key, produce), cache.once(key, produce))
        clock.now += 599
        later = await cache.once(key, produce)
        clock.now += 2
        expired = await cache.once(key, produce)
        return together, later, expired

    together, later, expired = run(scenario())
    assert together == [("<Response>1</Response>", False), ("<Response>1</Response>", True)]
    assert later == ("<Response>1</Response>", True)
    assert expired == ("<Response>2</Response>", False)


def test_replay_keys():
    sid = "CA" + "1" * 32
    assert request_key(sid, "t1", "s", "u", b"b") == request_key(sid, "t1", "other", "u2", b"b2")
    assert request_key(sid, "t1", "s", "u", b"b") != request_key(sid, "t2", "s", "u", b"b")
    assert request_key(sid, None, "s", "u", b"b") != request_key(sid, None, "s", "u", b"c")


def test_bad_limit_settings_stop_the_server():
    with pytest.raises(ValueError, match="MESSAGES_PER_ADDRESS_PER_MINUTE"):
        limits(MESSAGES_PER_ADDRESS_PER_MINUTE="lots")


def test_every_forwarded_for_line_counts_not_only_the_clients_own():
    from sanic.compat import Header

    from channels import client_address

    # The client forges a first line; the trusted proxy adds its own line with the real address.
    headers = Header([("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-For", "203.0.113.5")])
    forwarded = client_address.forwarded_for(headers)
    assert forwarded == "127.0.0.1,203.0.113.5"
    assert client_address.ClientAddress(client_address.parse_networks(None)).of("127.0.0.1", forwarded) == "203.0.113.5"
    assert client_address.forwarded_for(Header()) is None

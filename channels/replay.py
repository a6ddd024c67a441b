"""Refuse a replayed telephone webhook request: the same request again within ten minutes gets
the TwiML it got the first time, and Rasa sees no second turn.

Twilio signs a request's URL and form, but nothing in them changes with time, so a captured
request (a logging proxy, TLS interception) could be sent again while the call is live, for
example to hear a read-back once more. Twilio sends `I-Twilio-Idempotency-Token`, the same on
its own retries of one request, so a request is known by `(CallSid, token)`; without the
header, by its signature, URL and body together. A retry by Twilio of a request still in
progress waits for the first one's answer instead of starting a second turn.

With one Rasa server, kept in this process's memory, bounded by count and time. With several
behind a load balancer (`LOCK_STORE=redis`, `make run-scaled`) a replay may reach another
server, so the cache is shared in the lock store's Redis (`SharedReplayCache`): the first server
to see a request claims its key with SET NX, and the answer replaces the claim for the rest of
the window, so every server gives a replay the first answer. A Redis that cannot be reached
(at start or later) must not cost a caller their call: the server then falls back to its own
memory, logs a warning, and tries Redis again a little later.
"""
from __future__ import annotations

import asyncio
import collections
import hashlib
import logging
import os
import secrets
import time
from typing import Any, Awaitable, Callable, Mapping, Optional, Set, Tuple, Union

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 600.0
MAX_ENTRIES = 50_000
# A claim whose server died must not block Twilio's retries for the whole window; a live turn
# ends long before this (Twilio itself gives up on a webhook after 15 seconds).
LEASE_SECONDS = 60.0
# How often a server waiting for another server's answer looks again.
POLL_SECONDS = 0.05
# After Redis failed, requests use this server's memory for this long before Redis is tried again.
RETRY_SECONDS = 30.0
# Rasa's lock keys are "plr:lock:<conversation>"; these cannot collide with them.
KEY_PREFIX = "plr:replay:"
_CLAIM, _ANSWER = b"c:", b"a:"


def request_key(call_sid: str, idempotency_token: Optional[str], signature: str, url: str,
                body: bytes) -> str:
    if idempotency_token:
        material = b"t\0" + call_sid.encode() + b"\0" + idempotency_token.encode()
    else:
        material = b"s\0" + signature.encode() + b"\0" + url.encode() + b"\0" + body
    return hashlib.sha256(material).hexdigest()


class ReplayCache:
    def __init__(self, window: float = WINDOW_SECONDS, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.max_entries = max_entries
        self.clock = clock
        self.replays = 0
        self._entries: collections.OrderedDict[str, Tuple[float, asyncio.Future]] = collections.OrderedDict()

    def _expire(self, now: float) -> None:
        while self._entries:
            key, (expires, future) = next(iter(self._entries.items()))
            if expires > now and len(self._entries) <= self.max_entries:
                return
            if not future.done() and expires > now:
                return  # still in progress: never drop an answer someone waits for
            del self._entries[key]

    async def once(self, key: str, produce: Callable[[], Awaitable[str]]) -> Tuple[str, bool]:
        """(answer, replayed): `produce()` the first time; the first answer for a repeat."""
        now = self.clock()
        self._expire(now)
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            self.replays += 1
            return await asyncio.shield(entry[1]), True
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._entries[key] = (now + self.window, future)
        try:
            answer = await produce()
        except BaseException:
            # No answer to give again (the first request was cancelled, or failed): a repeat
            # may try for itself; one waiting now is cancelled with it.
            self._entries.pop(key, None)
            future.cancel()
            raise
        future.set_result(answer)
        return answer, False

    def __contains__(self, key: str) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry[0] > self.clock()

    def __len__(self) -> int:
        return len(self._entries)


# The answer replaces only this server's own claim (or a claim that lapsed meanwhile), never
# another server's claim or answer.
_STORE_ANSWER = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
_DROP_CLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class _WaitedTooLong(Exception):
    pass


def _given(answer: str) -> Callable[[], Awaitable[str]]:
    async def produce() -> str:
        return answer

    return produce


class SharedReplayCache:
    """`ReplayCache.once()` for several servers, in Redis; `fallback` while Redis is unreachable."""

    def __init__(self, client: Any, window: float = WINDOW_SECONDS, lease: float = LEASE_SECONDS,
                 prefix: str = KEY_PREFIX, fallback: Optional[ReplayCache] = None,
                 retry_after: float = RETRY_SECONDS, poll: float = POLL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.window = window
        self.lease = min(lease, window)
        self.prefix = prefix
        self.fallback = fallback if fallback is not None else ReplayCache(window=window, clock=clock)
        self.retry_after = retry_after
        self.poll = poll
        self.clock = clock
        self.shared_replays = 0
        self._down_until: Optional[float] = None
        # Repeats inside this server wait for the first request's answer here, without polling.
        self._in_flight: dict[str, asyncio.Future] = {}
        self._cleanups: Set[asyncio.Task] = set()
        self._store = client.register_script(_STORE_ANSWER)
        self._drop = client.register_script(_DROP_CLAIM)

    @property
    def replays(self) -> int:
        return self.shared_replays + self.fallback.replays

    @property
    def shared(self) -> bool:
        return self._down_until is None

    async def start(self) -> bool:
        """Check Redis once at start; False (and a warning) when this server keeps to its memory."""
        try:
            await self.client.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable" here
            self._went_down(exc, "at start")
            return False
        logger.info("Replayed telephone requests are recognised across servers (Redis).")
        return True

    async def close(self) -> None:
        if self._cleanups:
            await asyncio.gather(*self._cleanups, return_exceptions=True)
        await self.client.close()

    def redis_key(self, key: str) -> str:
        # Hashed again, so that no caller's key reaches Redis as given, whatever it was made of.
        return self.prefix + hashlib.sha256(b"replay\0" + key.encode()).hexdigest()

    def _went_down(self, exc: BaseException, when: str) -> None:
        if self._down_until is None:
            # The type only: a Redis error's text names hosts and may quote keys.
            logger.warning("Redis for replayed telephone requests is unreachable %s (%s): this server "
                           "recognises only replays it saw itself until Redis is back.", when, type(exc).__name__)
        self._down_until = self.clock() + self.retry_after

    def _redis_usable(self) -> bool:
        return self._down_until is None or self.clock() >= self._down_until

    async def once(self, key: str, produce: Callable[[], Awaitable[str]]) -> Tuple[str, bool]:
        """(answer, replayed): `produce()` the first time on any server; the first answer for a repeat."""
        # A request first answered from memory while Redis was down is answered from there again.
        if not self._redis_usable() or key in self.fallback:
            return await self.fallback.once(key, produce)
        local = self._in_flight.get(key)
        if local is not None:
            self.shared_replays += 1
            return await asyncio.shield(local), True
        rkey, claim = self.redis_key(key), _CLAIM + secrets.token_hex(16).encode()
        try:
            claimed, answer, started = await self._claim(rkey, claim)
        except _WaitedTooLong:
            logger.warning("Gave up waiting for another server's answer to a telephone request; answering here.")
            return await self.fallback.once(key, produce)
        except Exception as exc:  # noqa: BLE001 - Redis failing must not fail the call
            self._went_down(exc, "during a call")
            return await self.fallback.once(key, produce)
        if self._down_until is not None:
            self._down_until = None
            logger.info("Redis for replayed telephone requests is reachable again.")
        if not claimed:
            self.shared_replays += 1
            return answer, True
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await produce()
        except BaseException:
            # As in memory: a later repeat may try for itself; one waiting here is cancelled with
            # it. The claim goes in a task of its own, so that a cancelled request still drops it.
            self._in_flight.pop(key, None)
            future.cancel()
            task = asyncio.get_running_loop().create_task(self._drop_claim(rkey, claim))
            self._cleanups.add(task)
            task.add_done_callback(self._cleanups.discard)
            raise
        future.set_result(answer)
        try:
            remaining_ms = max(1, int((started + self.window - self.clock()) * 1000))
            await self._store(keys=[rkey], args=[claim, _ANSWER + answer.encode(), remaining_ms])
        except Exception as exc:  # noqa: BLE001 - the caller still gets this answer
            self._went_down(exc, "while storing an answer")
            # So that this server still gives a repeat this answer while Redis is away.
            await self.fallback.once(key, _given(answer))
        finally:
            self._in_flight.pop(key, None)
        return answer, False

    async def _claim(self, rkey: str, claim: bytes) -> Tuple[bool, str, float]:
        """(True, "", when) when this server claimed the key; (False, answer, when) when another
        server answered first, after waiting while it is still working on it."""
        deadline = self.clock() + self.lease + 1.0
        while True:
            started = self.clock()
            if await self.client.set(rkey, claim, nx=True, px=max(1, int(self.lease * 1000))):
                return True, "", started
            value = await self.client.get(rkey)
            if value is not None and value.startswith(_ANSWER):
                return False, value[len(_ANSWER):].decode(), started
            if self.clock() >= deadline:
                raise _WaitedTooLong()
            if value is not None:
                await asyncio.sleep(self.poll)
            # else the other claim lapsed or was dropped: claim it here straight away

    async def _drop_claim(self, rkey: str, claim: bytes) -> None:
        try:
            await self._drop(keys=[rkey], args=[claim])
        except Exception:  # noqa: BLE001 - the claim lapses after its lease anyway
            logger.debug("A replay claim could not be dropped; it lapses on its own.")

    def __len__(self) -> int:
        return len(self._in_flight) + len(self.fallback)


AnyReplayCache = Union[ReplayCache, SharedReplayCache]


def configured_cache(env: Optional[Mapping[str, str]] = None) -> AnyReplayCache:
    """Shared in Redis when the lock store is (`LOCK_STORE=redis`, the same REDIS_* settings as
    endpoints.yml), else in this process's memory. Call `start()` on a shared one in the server's loop."""
    env = os.environ if env is None else env
    if (env.get("LOCK_STORE") or "memory").strip().lower() != "redis":
        return ReplayCache()
    import redis.asyncio

    try:
        port, db = int(env.get("REDIS_PORT") or 6379), int(env.get("REDIS_DB") or 1)
    except ValueError as exc:
        raise ValueError("REDIS_PORT and REDIS_DB must be numbers") from exc
    client = redis.asyncio.Redis(host=env.get("REDIS_HOST") or "localhost", port=port, db=db,
                                 password=env.get("REDIS_PASSWORD") or None,
                                 socket_timeout=2, socket_connect_timeout=2)
    return SharedReplayCache(client)

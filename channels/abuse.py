"""Limits per connection, per client address and per caller, and a bounded queue of turns.

The per-conversation limiter (channels/ratelimit.py) alone let one client start conversation
after conversation, each with a fresh allowance, and queue any number of turns ahead of every
other learner. These limits close that:

- new web chat sessions per socket and per address, and messages per address;
- new REST conversations and messages per address;
- new calls per caller on the telephone line (Twilio's `From`, kept only as a keyed hash
  under a key that lives in this process's memory);
- at most `PLR_MAX_TURNS_WAITING` turns waiting or in progress per Rasa server, and
  `PLR_MAX_TURNS_WAITING_PER_ADDRESS` per address: beyond that a learner is told the assistant
  is very busy at once, instead of waiting behind a flood.

Per address limits are generous, because a college's learners can share one address; the
address is the socket's peer or the trusted proxy's X-Forwarded-For (channels/client_address.py).
IPv6 clients are counted per /64, the block one subscriber usually holds.

All state is in this process and is touched only from its event loop, so no locks; each table
is bounded (least recently seen keys are forgotten, and a forgotten key starts full).
"""
from __future__ import annotations

import collections
import functools
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Dict, Optional

Clock = Callable[[], float]
logger = logging.getLogger(__name__)
# A flood is refused thousands of times a minute: one log line per kind per interval, with a count.
LOG_INTERVAL_SECONDS = 10.0
_refusals: Dict[str, list] = {}


def log_refusal(kind: str, clock: Clock = time.monotonic) -> None:
    """Note a refusal (`kind` names the limit, never the client); logged at most once per
    interval per kind."""
    now = clock()
    entry = _refusals.setdefault(kind, [0, -LOG_INTERVAL_SECONDS])
    entry[0] += 1
    if now - entry[1] >= LOG_INTERVAL_SECONDS:
        logger.warning("Refused %d request(s) over the limit: %s.", entry[0], kind)
        entry[0], entry[1] = 0, now


class KeyedBuckets:
    """A token bucket per key: `burst` at once, refilled at `per_minute`."""

    def __init__(self, per_minute: float, burst: float, max_tracked: int = 100_000,
                 clock: Clock = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("limits must be positive")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_tracked = max_tracked
        self.clock = clock
        self.refused = 0
        self._buckets: collections.OrderedDict[str, list] = collections.OrderedDict()

    def _refill(self, key: str) -> list:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = [self.burst, now]
            while len(self._buckets) > self.max_tracked:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        return bucket

    def take(self, key: str) -> bool:
        bucket = self._refill(key)
        if bucket[0] < 1.0:
            self.refused += 1
            return False
        bucket[0] -= 1.0
        return True

    def retry_after(self, key: str) -> float:
        bucket = self._buckets.get(key)
        if bucket is None or bucket[0] >= 1.0:
            return 1.0
        return max(1.0, (1.0 - bucket[0]) / self.rate)


class Seen:
    """Keys seen lately (bounded), to tell a new REST conversation from a known one."""

    def __init__(self, max_tracked: int = 100_000) -> None:
        self.max_tracked = max_tracked
        self._keys: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __contains__(self, key: str) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        return False

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_tracked:
            self._keys.popitem(last=False)


class Ticket:
    def __init__(self, queue: TurnQueue, address: Optional[str]) -> None:
        self._queue, self._address, self._open = queue, address, True

    def leave(self) -> None:
        if self._open:
            self._open = False
            self._queue._leave(self._address)


class TurnQueue:
    """Counts turns waiting or in progress, in all and per address, and refuses beyond a cap.
    A turn with no address (the telephone line) counts towards the total only."""

    def __init__(self, max_total: int, max_per_address: int) -> None:
        if max_total < 1 or max_per_address < 1:
            raise ValueError("queue caps must be positive")
        self.max_total = max_total
        self.max_per_address = max_per_address
        self.total = 0
        self.refused = 0
        self._per_address: Dict[str, int] = {}

    def enter(self, address: Optional[str]) -> Optional[Ticket]:
        if self.total >= self.max_total or (
                address is not None and self._per_address.get(address, 0) >= self.max_per_address):
            self.refused += 1
            return None
        self.total += 1
        if address is not None:
            self._per_address[address] = self._per_address.get(address, 0) + 1
        return Ticket(self, address)

    def waiting(self, address: str) -> int:
        return self._per_address.get(address, 0)

    def _leave(self, address: Optional[str]) -> None:
        self.total -= 1
        if address is None:
            return
        left = self._per_address.get(address, 1) - 1
        if left > 0:
            self._per_address[address] = left
        else:
            self._per_address.pop(address, None)


@functools.lru_cache(maxsize=4096)
def address_key(address: Optional[str]) -> str:
    """One key per IPv4 address, per IPv6 /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class CallerHash:
    """A caller's number as a keyed hash: the key is random per process and never leaves it,
    so the hash cannot be reversed by trying every number, and is never logged."""

    def __init__(self, key: Optional[bytes] = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def __call__(self, number: str) -> str:
        return hmac.new(self._key, number.encode(), hashlib.sha256).hexdigest()


def _number(name: str, default: float) -> float:
    raw = (os.environ.get(name) or "").strip()
    try:
        value = float(raw) if raw else float(default)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r} (see .env.example)") from exc
    if value <= 0:
        raise ValueError(f"{name} must be positive (see .env.example)")
    return value


@dataclass
class AbuseLimits:
    sessions_per_socket: KeyedBuckets
    sessions_per_address: KeyedBuckets
    messages_per_address: KeyedBuckets
    rest_senders_per_address: KeyedBuckets
    calls_per_caller: KeyedBuckets
    queue: TurnQueue
    caller_hash: CallerHash
    rest_seen: Seen

    @classmethod
    def from_env(cls, clock: Clock = time.monotonic) -> AbuseLimits:
        def buckets(prefix: str, per_minute: float, burst: float, tracked: int = 100_000) -> KeyedBuckets:
            return KeyedBuckets(_number(f"{prefix}_PER_MINUTE", per_minute), _number(f"{prefix}_BURST", burst),
                                max_tracked=tracked, clock=clock)

        return cls(
            sessions_per_socket=buckets("WEB_SESSIONS_PER_SOCKET", 3, 3),
            sessions_per_address=buckets("WEB_SESSIONS_PER_ADDRESS", 60, 60),
            messages_per_address=buckets("MESSAGES_PER_ADDRESS", 600, 600),
            rest_senders_per_address=buckets("REST_SENDERS_PER_ADDRESS", 60, 60),
            calls_per_caller=buckets("VOICE_CALLS_PER_CALLER", 0.5, 5),
            queue=TurnQueue(int(_number("PLR_MAX_TURNS_WAITING", 200)),
                            int(_number("PLR_MAX_TURNS_WAITING_PER_ADDRESS", 100))),
            caller_hash=CallerHash(),
            rest_seen=Seen(),
        )


_limits: Optional[AbuseLimits] = None


def default_limits() -> AbuseLimits:
    """One set of limits for every channel of this server."""
    global _limits
    if _limits is None:
        _limits = AbuseLimits.from_env()
    return _limits

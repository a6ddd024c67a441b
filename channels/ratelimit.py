"""Per-conversation flood control for the channels: a token bucket and a cap on messages in flight.

The bucket allows a burst (a learner clicking quick replies, a test client going fast) and a
sustained rate far above human typing; the in-flight cap stops a flood from queueing up behind
Rasa's conversation lock (each waiting message holds a ticket for up to the lock's lifetime).
A refused message is answered at once with a polite "slow down", never queued or dropped.
Per client address limits belong at the edge (nginx, deploy/nginx.conf.template), where the
real address is known.

Hand-written rather than a library: the `limits` package would add a dependency for about 40
lines, and the state must live inside each Rasa server's event loop anyway (no locks needed:
every call happens on that one loop).
"""
from __future__ import annotations

import collections
import os
import time
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class _Bucket:
    tokens: float
    updated: float
    in_flight: int = 0


class Permit:
    def __init__(self, limiter: ConversationLimiter, key: str) -> None:
        self._limiter, self._key, self._open = limiter, key, True

    def release(self) -> None:
        if self._open:
            self._open = False
            self._limiter._release(self._key)


class ConversationLimiter:
    def __init__(self, per_minute: float = 60.0, burst: int = 40, max_in_flight: int = 2,
                 max_tracked: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1 or max_in_flight < 1:
            raise ValueError("rate limits must be positive")
        self.rate = per_minute / 60.0
        self.burst = burst
        self.max_in_flight = max_in_flight
        self.max_tracked = max_tracked
        self.clock = clock
        self.refused = 0
        self._buckets: collections.OrderedDict[str, _Bucket] = collections.OrderedDict()

    @classmethod
    def from_env(cls) -> ConversationLimiter:
        return cls(
            per_minute=float(os.environ.get("CONVERSATION_MESSAGES_PER_MINUTE") or 60),
            burst=int(os.environ.get("CONVERSATION_BURST") or 40),
            max_in_flight=int(os.environ.get("CONVERSATION_MAX_IN_FLIGHT") or 2),
        )

    def try_acquire(self, key: str) -> Optional[Permit]:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
            self._evict()
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.in_flight >= self.max_in_flight or bucket.tokens < 1.0:
            self.refused += 1
            return None
        bucket.tokens -= 1.0
        bucket.in_flight += 1
        return Permit(self, key)

    def retry_after(self, key: str) -> float:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= 1.0:
            return 1.0
        return max(1.0, (1.0 - bucket.tokens) / self.rate)

    def _release(self, key: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None and bucket.in_flight > 0:
            bucket.in_flight -= 1

    def _evict(self) -> None:
        # Forget the least recently seen idle conversations (a full bucket is the default anyway).
        while len(self._buckets) > self.max_tracked:
            key, bucket = next(iter(self._buckets.items()))
            if bucket.in_flight:
                self._buckets.move_to_end(key)
                if all(b.in_flight for b in self._buckets.values()):
                    return
                continue
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)

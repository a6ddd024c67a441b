"""Refuse a replayed telephone webhook request: the same request again within ten minutes gets
the TwiML it got the first time, and Rasa sees no second turn.

Twilio signs a request's URL and form, but nothing in them changes with time, so a captured
request (a logging proxy, TLS interception) could be sent again while the call is live, for
example to hear a read-back once more. Twilio sends `I-Twilio-Idempotency-Token`, the same on
its own retries of one request, so a request is known by `(CallSid, token)`; without the
header, by its signature, URL and body together. A retry by Twilio of a request still in
progress waits for the first one's answer instead of starting a second turn.

Kept in this process's memory, bounded by count and time; with several Rasa servers behind a
load balancer, a replay sent to another server is not recognised.
"""
from __future__ import annotations

import asyncio
import collections
import hashlib
import time
from typing import Awaitable, Callable, Optional, Tuple

WINDOW_SECONDS = 600.0
MAX_ENTRIES = 50_000


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

    def __len__(self) -> int:
        return len(self._entries)

"""Admit messages in the order they came, a few at a time, so a form turn is not queued again
at each action call.

Rasa 3.6 handles each message in its own asyncio task. Its CPU work never yields; a message
yields only while it waits on something outside the process, above all the action server.
Under load the event loop's queue then holds the next piece of work of every other
conversation, and a message coming back from an action call waits behind all of it; a form
turn makes one to three action calls, so it queued several times. Under `make bench` at 10
learners the opt-out's first step then took several times as long as an FAQ answer and made the
p95; with this, the two kinds of turn take about as long as each other and the tail is lower.

Here at most `PLR_TURNS_IN_PROGRESS` messages (default 2) are in progress at once; the others
wait for a place and get it in arrival order. A message keeps its place through a quick wait
outside the process, so the queue it comes back to holds at most one other message's work,
and with two places the CPU still has work while one message waits. A wait longer than
`LONG_WAIT_SECONDS` (the backend down, a store's retry pause) gives the place up so the other
learners are not held; the message then gets a place back before every message that came
after it. Each message's answer is what Rasa gives: only the order of work between
conversations changes (one conversation's messages were already one at a time, through Rasa's
lock store). The default of two places was chosen by quick benches at 10 learners comparing 1, 2,
3 and unlimited places (scripts/bench.py --skip-train --skip-reference --users 10 --duration 40
--long-turns 20 --rasa-env PLR_TURNS_IN_PROGRESS=N): one place leaves the CPU idle while a message
waits, three or more let the queue behind an action call grow again and the tail with it.

The order applies where Rasa handles a message, `MessageProcessor.handle_message`, which runs
inside the conversation's lock (so two messages of one conversation never wait on each other
here) and which every channel calls; other calls (the HTTP API, reminders) run as in Rasa.
tests/unit/test_turn_order.py checks the order, long waits, errors and cancellation.
"""
from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
from contextvars import ContextVar
from typing import Any, AsyncIterator, List, Optional, Tuple

from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import EndpointConfig

SLOTS_VARIABLE = "PLR_TURNS_IN_PROGRESS"
DEFAULT_SLOTS = 2
LONG_WAIT_SECONDS = 0.05


class OldestFirst:
    """`slots` places for messages in progress; a freed place goes to the waiting message that
    came first, and only when nobody waits does it stay free."""

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots
        self._free = slots
        self._waiting: List[Tuple[int, asyncio.Future]] = []

    @property
    def taken(self) -> int:
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        return sum(1 for _, future in self._waiting if not future.done())

    async def acquire(self, arrival: int) -> None:
        if self._free > 0 and not self.waiting:
            self._free -= 1
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (arrival, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                # Handed over just as the waiter was cancelled: pass it on, or it is lost.
                self.release()
            raise

    def release(self) -> None:
        while self._waiting:
            _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # handed straight over: the place stays taken
                return
        self._free += 1


class _Turn:
    """One message's place in the order, and whether it holds a place right now."""

    def __init__(self, order: OldestFirst, arrival: int) -> None:
        self.order = order
        self.arrival = arrival
        self.holding = False
        self.outside = 0  # waits outside the process in progress (more than 1 if gathered)

    async def take(self) -> None:
        await self.order.acquire(self.arrival)
        self.holding = True

    def give_up(self) -> None:
        if self.holding:
            self.holding = False
            self.order.release()


def _slots_from_env() -> int:
    raw = os.environ.get(SLOTS_VARIABLE, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_SLOTS
    except ValueError:
        return DEFAULT_SLOTS


_order = OldestFirst(_slots_from_env())
_arrivals = itertools.count()
_current: ContextVar[Optional[_Turn]] = ContextVar("plr_turn_order", default=None)


def order() -> OldestFirst:
    return _order


@contextlib.asynccontextmanager
async def in_order() -> AsyncIterator[None]:
    """Run the body as one message in progress, admitted in arrival order. Re-entrant: a turn
    inside a turn keeps its place (it would otherwise wait on itself)."""
    if _current.get() is not None:
        yield
        return
    current = _Turn(_order, next(_arrivals))
    token = _current.set(current)
    try:
        await current.take()
        yield
    finally:
        current.give_up()
        _current.reset(token)


@contextlib.asynccontextmanager
async def outside() -> AsyncIterator[None]:
    """Around a wait on something outside this process. A quick wait keeps the message's place;
    one longer than `LONG_WAIT_SECONDS` (a service down, a retry pause) gives it to the next
    message, and the message then gets a place back before every message that came after it.
    No-op outside an ordered turn."""
    current = _current.get()
    if current is None:
        yield
        return
    current.outside += 1
    timer = asyncio.get_running_loop().call_later(LONG_WAIT_SECONDS, current.give_up)
    try:
        yield
    finally:
        timer.cancel()
        current.outside -= 1
        if current.outside == 0 and not current.holding:
            await current.take()


_original_handle_message = MessageProcessor.handle_message
_original_request = EndpointConfig.request


async def handle_message(self: MessageProcessor, message: Any) -> Any:
    async with in_order():
        return await _original_handle_message(self, message)


async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
    async with outside():
        return await _original_request(self, *args, **kwargs)


def install() -> None:
    MessageProcessor.handle_message = handle_message
    EndpointConfig.request = request


def uninstall() -> None:
    MessageProcessor.handle_message = _original_handle_message
    EndpointConfig.request = _original_request

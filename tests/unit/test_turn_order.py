"""speedups/turn_order.py: a bounded number of messages in progress, admitted oldest first; a
long wait outside the process gives the place up and gets it back before newer messages."""
from __future__ import annotations

import asyncio
from typing import Dict, List

import pytest

from speedups import turn_order


@pytest.fixture
def slots(monkeypatch):
    def make(count: int) -> turn_order.OldestFirst:
        fresh = turn_order.OldestFirst(count)
        monkeypatch.setattr(turn_order, "_order", fresh)
        return fresh

    monkeypatch.setattr(turn_order, "LONG_WAIT_SECONDS", 0.2)
    return make


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


class Script:
    """Fake messages: each computes, waits outside the process until the test says so, then
    computes again; the log says in which order they ran."""

    def __init__(self) -> None:
        self.log: List[str] = []
        self.io: Dict[str, asyncio.Event] = {}

    async def start(self, names: str) -> List[asyncio.Future]:
        """One message per name, each sent after the one before it."""
        tasks = []
        for name in names:
            tasks.append(asyncio.ensure_future(self.message(name)))
            await asyncio.sleep(0)
        return tasks

    async def message(self, name: str, work: asyncio.Event = None) -> None:
        self.io[name] = asyncio.Event()
        async with turn_order.in_order():
            self.log.append(f"{name} starts")
            if work is not None:
                await work.wait()  # stands for computing: the place is kept
            async with turn_order.outside():
                await self.io[name].wait()
            self.log.append(f"{name} ends")


def test_messages_are_admitted_in_arrival_order(slots):
    order = slots(1)

    async def scenario() -> List[str]:
        script = Script()
        tasks = await script.start("ABC")
        await settle()
        assert script.log == ["A starts"]
        assert order.waiting == 2
        for name in "CBA":  # the waits end in the opposite order; the answers still go in order
            script.io.setdefault(name, asyncio.Event()).set()
        await asyncio.gather(*tasks)
        return script.log

    assert asyncio.run(scenario()) == ["A starts", "A ends", "B starts", "B ends", "C starts", "C ends"]
    assert order.taken == 0


def test_a_quick_wait_outside_keeps_the_place(slots):
    order = slots(1)

    async def scenario() -> None:
        script = Script()
        first = asyncio.ensure_future(script.message("A"))
        await settle()
        second = asyncio.ensure_future(script.message("B"))
        await asyncio.sleep(0.01)  # well under LONG_WAIT_SECONDS
        assert script.log == ["A starts"] and order.waiting == 1
        script.io["A"].set()
        await first
        await settle()
        script.io["B"].set()
        await second
        assert script.log == ["A starts", "A ends", "B starts", "B ends"]

    asyncio.run(scenario())


def test_a_long_wait_lets_the_next_message_in_and_then_goes_before_newer_ones(slots):
    order = slots(1)

    async def scenario() -> None:
        script = Script()
        first = asyncio.ensure_future(script.message("A"))
        await settle()
        computing = asyncio.Event()
        second = asyncio.ensure_future(script.message("B", computing))
        await asyncio.sleep(0)
        third = asyncio.ensure_future(script.message("C"))
        await asyncio.sleep(0.5)  # A's wait outside is long: B goes in, C still waits
        assert script.log == ["A starts", "B starts"]
        script.io["A"].set()  # A is back while B holds the place: A goes next, before C
        await settle()
        assert order.waiting == 2
        computing.set()
        script.io["B"].set()
        script.io["C"].set()
        await asyncio.gather(first, second, third)
        assert script.log == ["A starts", "B starts", "B ends", "A ends", "C starts", "C ends"]
        assert order.taken == 0

    asyncio.run(scenario())


def test_two_places_let_two_messages_progress(slots):
    order = slots(2)

    async def scenario() -> None:
        script = Script()
        tasks = await script.start("ABC")
        await settle()
        assert script.log == ["A starts", "B starts"] and order.waiting == 1
        script.io["B"].set()
        await settle()
        assert script.log == ["A starts", "B starts", "B ends", "C starts"]
        script.io["A"].set()
        script.io["C"].set()
        await asyncio.gather(*tasks)
        assert order.taken == 0

    asyncio.run(scenario())


def test_an_error_frees_the_place(slots):
    order = slots(1)

    async def scenario() -> None:
        async def failing() -> None:
            async with turn_order.in_order():
                await asyncio.sleep(0)
                raise RuntimeError("the action server fell over")

        async def fine() -> str:
            async with turn_order.in_order():
                return "answered"

        results = await asyncio.gather(failing(), fine(), return_exceptions=True)
        assert isinstance(results[0], RuntimeError)
        assert results[1] == "answered"

    asyncio.run(scenario())
    assert order.taken == 0


def test_cancelled_messages_neither_keep_nor_lose_a_place(slots):
    order = slots(1)

    async def scenario() -> None:
        gate = asyncio.Event()
        log: List[str] = []

        async def message(name: str) -> None:
            async with turn_order.in_order():
                log.append(name)
                await gate.wait()

        holder = asyncio.ensure_future(message("A"))
        await asyncio.sleep(0)
        waiter = asyncio.ensure_future(message("B"))
        await asyncio.sleep(0)
        last = asyncio.ensure_future(message("C"))
        await settle()
        waiter.cancel()  # cancelled while it waits for a place
        await settle()
        holder.cancel()  # cancelled while it holds one
        await settle()
        assert log == ["A", "C"]
        gate.set()
        await last
        assert waiter.cancelled() and holder.cancelled()

    asyncio.run(scenario())
    assert order.taken == 0 and order.waiting == 0


def test_a_message_cancelled_during_its_wait_outside_frees_the_place(slots):
    order = slots(1)

    async def scenario() -> None:
        script = Script()
        first = asyncio.ensure_future(script.message("A"))
        await settle()
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        assert order.taken == 0
        second = asyncio.ensure_future(script.message("B"))
        await settle()
        script.io["B"].set()
        await second
        assert script.log == ["A starts", "B starts", "B ends"]

    asyncio.run(scenario())


def test_a_turn_inside_a_turn_keeps_its_place(slots):
    slots(1)

    async def scenario() -> str:
        async with turn_order.in_order():
            async with turn_order.in_order():  # would wait on itself if it queued again
                async with turn_order.outside():
                    await asyncio.sleep(0.3)  # a long wait, given up and taken back
                return "done"

    assert asyncio.run(asyncio.wait_for(scenario(), timeout=5)) == "done"


def test_outside_a_turn_nothing_changes(slots):
    order = slots(1)

    async def scenario() -> None:
        async with turn_order.outside():
            await asyncio.sleep(0.1)
        assert order.taken == 0

    asyncio.run(scenario())


def test_the_slot_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(turn_order.SLOTS_VARIABLE, "3")
    assert turn_order._slots_from_env() == 3
    for bad in ("0", "-2"):
        monkeypatch.setenv(turn_order.SLOTS_VARIABLE, bad)
        assert turn_order._slots_from_env() == 1
    for unset in ("", "many"):
        monkeypatch.setenv(turn_order.SLOTS_VARIABLE, unset)
        assert turn_order._slots_from_env() == turn_order.DEFAULT_SLOTS


def test_the_installed_calls_wrap_rasas_own(slots, monkeypatch):
    order = slots(1)
    seen = []

    async def handle(processor, message):
        seen.append(("handle", order.taken))
        return await turn_order.request(None, "post")

    async def request(endpoint, method, **kwargs):
        seen.append(("request", order.taken))
        return ["reply"]

    monkeypatch.setattr(turn_order, "_original_handle_message", handle)
    monkeypatch.setattr(turn_order, "_original_request", request)
    assert asyncio.run(turn_order.handle_message(object(), "hello")) == ["reply"]
    # Rasa's processing holds a place, and keeps it through a quick action call.
    assert seen == [("handle", 1), ("request", 1)]
    assert order.taken == 0

"""A clock that tests move by hand, and a way to run one coroutine, for the limiter tests."""
from __future__ import annotations

import asyncio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)

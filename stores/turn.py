"""What went wrong while Rasa handled the current message ("turn").

Rasa 3.6 hides the failures that matter to a learner: `FailSafeTrackerStore` turns a database
error into a brand-new conversation, the processor logs and carries on when the action server
is down, and the REST channel then answers `[]`. The channels open a `Turn` around each message
(channels/guard.py); the stores and a log handler record failures in it; the channel then
answers with a clear message, and the tracker store does not save a turn that went wrong, so
the conversation stays as it was before the message and the learner can simply send it again.

The turn travels in a context variable: Rasa handles a message in the channel's own asyncio
task, so every store call and log record of that message sees it, and no other message does.
"""
from __future__ import annotations

import contextlib
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator, List, Optional

ACTIONS = "action_server"
TRACKER_STORE = "tracker_store"
LOCK_STORE = "lock_store"
PROCESSING = "processing"


@dataclass
class Turn:
    failures: List[str] = field(default_factory=list)

    def fail(self, component: str) -> None:
        if component not in self.failures:
            self.failures.append(component)

    @property
    def failed(self) -> bool:
        return bool(self.failures)


_current: ContextVar[Optional[Turn]] = ContextVar("plr_turn", default=None)


def current() -> Optional[Turn]:
    return _current.get()


@contextlib.contextmanager
def open_turn() -> Iterator[Turn]:
    turn = Turn()
    token = _current.set(turn)
    try:
        yield turn
    finally:
        _current.reset(token)


def record(component: str) -> None:
    """Mark the current message's turn as failed (no-op outside a turn, e.g. the HTTP API)."""
    turn = current()
    if turn is not None:
        turn.fail(component)


class _RasaErrorWatch(logging.Handler):
    """Rasa reports a failed action only by logging it (`logger.exception` in the processor,
    after which "the actions events are lost"). An error with a traceback from a `rasa.*`
    logger during a turn therefore marks that turn as failed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        turn = current()
        if turn is None or record.exc_info is None or not record.name.startswith("rasa"):
            return
        turn.fail(ACTIONS if record.name == "rasa.core.processor" else PROCESSING)


_watch = _RasaErrorWatch()


def watch_rasa_errors() -> None:
    """Idempotent: attach the watch to the `rasa` logger (its records reach it by propagation)."""
    rasa_logger = logging.getLogger("rasa")
    if _watch not in rasa_logger.handlers:
        rasa_logger.addHandler(_watch)

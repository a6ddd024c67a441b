"""Rasa's Redis lock store with short timeouts and reported failures (endpoints.yml with LOCK_STORE=redis).

Every Rasa server takes a conversation's lock in Redis before handling one of its messages, so
two servers never work on one conversation at once. When Redis is down the message cannot be
handled safely: the lock calls fail fast (`socket_timeout`), the failure is logged as an ALERT
and counted (stores/health.py), and the channel tells the learner there is a technical problem
(stores/turn.py). Releasing a lock after a message was handled is best effort: if Redis fails
then, the message's answer still stands and the stale lock expires on its own
(TICKET_LOCK_LIFETIME).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from stores import health, turn

logger = logging.getLogger(__name__)


def _optional(value: Any) -> Optional[str]:
    return str(value) if value not in (None, "") else None


class GuardedRedisLockStore(RedisLockStore):
    component = turn.LOCK_STORE

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # ${VAR} values arrive as strings; redis-py needs numbers.
        options = endpoint_config.kwargs
        super().__init__(
            host=endpoint_config.url or "localhost",
            port=int(options.get("port") or 6379),
            db=int(options.get("db") or 1),
            username=_optional(options.get("username")),
            password=_optional(options.get("password")),
            key_prefix=_optional(options.get("key_prefix")),
            socket_timeout=float(options.get("socket_timeout") or 2),
        )
        kwargs = self.red.connection_pool.connection_kwargs

        async def check() -> None:
            await asyncio.to_thread(self.red.ping)

        health.register(self.component, f"redis ({kwargs.get('host')}:{kwargs.get('port')})", check)

    def _guard(self, operation: str, call, *args):
        try:
            result = call(*args)
        except Exception as exc:
            health.failed(self.component, exc, operation)
            turn.record(self.component)
            raise
        health.ok(self.component)
        return result

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        return self._guard("read lock", super().get_lock, conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self._guard("write lock", super().save_lock, lock)

    def delete_lock(self, conversation_id: str) -> None:
        self._guard("delete lock", super().delete_lock, conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        current = turn.current()
        failures_before = list(current.failures) if current else []
        try:
            super().cleanup(conversation_id, ticket_number)
        except Exception:
            # The message was handled and saved: do not turn that into an error for the learner.
            if current is not None:
                current.failures[:] = failures_before
            logger.warning("A conversation lock could not be released; it expires on its own.")

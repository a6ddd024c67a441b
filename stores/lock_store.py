"""Rasa's Redis lock store with short timeouts and reported failures (endpoints.yml with LOCK_STORE=redis).

Every Rasa server takes a conversation's lock in Redis before handling one of its messages, so
two servers never work on one conversation at once. When Redis is down the message cannot be
handled safely: the lock calls fail fast (`socket_timeout`), the failure is logged as an ALERT
and counted (stores/health.py), and the channel tells the learner there is a technical problem
(stores/turn.py). Releasing a lock after a message was handled is best effort: if Redis fails
then, the message's answer still stands and the stale lock expires on its own
(TICKET_LOCK_LIFETIME).

Rasa 3.6's `RedisLockStore` changes a lock by reading it, changing it in Python and writing it
back. With two Rasa servers those steps interleave: two messages can draw the same ticket
number (both are then handled at once), a finished message's ticket can be written back after
it was removed (the next message waits for the ticket to expire), and a lock whose last holder
is gone stays in Redis for good, because the key has no expiry. Here every change to a lock is
one optimistic Redis transaction (WATCH/MULTI/EXEC: retried when another server changed the
lock in between), and the key expires with its last ticket.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from stores import health, turn

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


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

    def _guard(self, operation: str, call: Callable[..., Result], *args: Any) -> Result:
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
        self._guard("write lock", self._write, self.red, self.key_prefix + lock.conversation_id, lock)

    def delete_lock(self, conversation_id: str) -> None:
        self._guard("delete lock", super().delete_lock, conversation_id)

    @staticmethod
    def _write(client: Any, key: str, lock: TicketLock) -> None:
        """Store the lock until its last ticket expires; a lock without tickets is removed."""
        lock.remove_expired_tickets()
        if not lock.tickets:
            client.delete(key)
            return
        last_expiry = max(ticket.expires for ticket in lock.tickets)
        client.set(key, lock.dumps(), px=max(1, int((last_expiry - time.time()) * 1000)))

    def _change(self, conversation_id: str, operation: str,
                change: Callable[[TicketLock], Result]) -> Result:
        """Apply `change` to the stored lock (a new one when none is stored) in one transaction."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> Tuple[Result]:
            stored = pipe.get(key)
            lock = (TicketLock.from_dict(json.loads(stored)) if stored
                    else self.create_lock(conversation_id))
            result = change(lock)
            pipe.multi()
            self._write(pipe, key, lock)
            # A tuple, so that a result of None still counts as a finished transaction.
            return (result,)

        (result,) = self._guard(
            operation, lambda: self.red.transaction(attempt, key, value_from_callable=True))
        return result

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, "issue ticket",
                                lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, "update lock", lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, "release lock", lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving deletes the lock when no ticket is left, in the same transaction.
        current = turn.current()
        failures_before = list(current.failures) if current else []
        try:
            self.finish_serving(conversation_id, ticket_number)
        except Exception:
            # The message was handled and saved: do not turn that into an error for the learner.
            if current is not None:
                current.failures[:] = failures_before
            logger.warning("A conversation lock could not be released; it expires on its own.")

"""The stores named in endpoints.yml, chosen by .env: one endpoints file for one machine and
for several Rasa servers.

    TRACKER_STORE=memory       conversations in this process's memory (one Rasa server)
    TRACKER_STORE=postgresql   Rasa's SQLTrackerStore on PostgreSQL, shared by every server
    LOCK_STORE=memory          Rasa's in-memory lock store (one Rasa server)
    LOCK_STORE=redis           Rasa's RedisLockStore: one conversation, one server at a time

Rasa instantiates the class that `type:` names, so each of these is a class whose constructor
returns the chosen store (the guarded ones of stores/tracker_store.py and stores/lock_store.py).
An unknown value stops Rasa at start-up with a message naming the key, instead of the silent
fallback to memory that Rasa applies to a store it cannot create.
"""
from __future__ import annotations

import os
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from stores import history
from stores.lock_store import GuardedRedisLockStore
from stores.tracker_store import GuardedInMemoryTrackerStore, GuardedSQLTrackerStore

TRACKER_STORES = ("memory", "postgresql")
LOCK_STORES = ("memory", "redis")


class StoreSettingError(RasaException):
    pass


def _choice(key: str, allowed: tuple) -> str:
    value = (os.environ.get(key) or "memory").strip().lower()
    if value not in allowed:
        # Raised at start-up; Rasa turns only ImportError/AttributeError into a silent fallback.
        raise StoreSettingError(f"{key}={value!r} is not one of {', '.join(allowed)} (see .env.example)")
    return value


class ConfiguredTrackerStore:
    def __new__(cls, host: Any = None, domain: Any = None, event_broker: Any = None,
                max_events: Any = history.MAX_EVENTS, keep_turns: Any = history.KEEP_TURNS,
                **kwargs: Any) -> TrackerStore:
        if _choice("TRACKER_STORE", TRACKER_STORES) == "postgresql":
            return GuardedSQLTrackerStore(host=host, domain=domain, event_broker=event_broker, **kwargs)
        return GuardedInMemoryTrackerStore(domain=domain, event_broker=event_broker, max_events=max_events,
                                           keep_turns=keep_turns)


class ConfiguredLockStore:
    def __new__(cls, endpoint_config: EndpointConfig) -> LockStore:
        if _choice("LOCK_STORE", LOCK_STORES) == "redis":
            return GuardedRedisLockStore(endpoint_config)
        return InMemoryLockStore()

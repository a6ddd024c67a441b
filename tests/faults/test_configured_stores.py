"""endpoints.yml names stores/configured.py, and .env picks the stores: memory by default,
PostgreSQL and Redis when configured (the scaled-out stack in tests/scale runs them for real),
and a clear start-up error for a value that is neither."""
from __future__ import annotations

import pytest
import yaml
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from stores.configured import StoreSettingError
from stores.lock_store import GuardedRedisLockStore
from stores.tracker_store import GuardedInMemoryTrackerStore
from tests.conftest import ROOT

STORE_KEYS = {"TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "rasa_tracker",
              "TRACKER_DB_USER": "rasa", "TRACKER_DB_PASSWORD": "x", "REDIS_HOST": "127.0.0.1",
              "REDIS_PORT": "6379", "REDIS_DB": "1", "REDIS_PASSWORD": "", "ACTION_ENDPOINT_URL": "http://a/webhook",
              "ACTION_SERVER_TOKEN": "t"}


@pytest.fixture
def env(monkeypatch):
    for key, value in STORE_KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    monkeypatch.delenv("LOCK_STORE", raising=False)
    return monkeypatch


def endpoint(name: str) -> EndpointConfig:
    return read_endpoint_config(str(ROOT / "endpoints.yml"), name)


def test_the_one_endpoints_file_names_the_configured_stores():
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "stores.configured.ConfiguredTrackerStore"
    assert endpoints["lock_store"]["type"] == "stores.configured.ConfiguredLockStore"
    assert not (ROOT / "endpoints.scaled.yml").exists()


def test_memory_stores_by_default(env):
    assert type(TrackerStore.create(endpoint("tracker_store"))) is GuardedInMemoryTrackerStore
    assert type(LockStore.create(endpoint("lock_store"))) is InMemoryLockStore
    env.setenv("TRACKER_STORE", "memory")
    env.setenv("LOCK_STORE", "Memory ")
    assert type(TrackerStore.create(endpoint("tracker_store"))) is GuardedInMemoryTrackerStore
    assert type(LockStore.create(endpoint("lock_store"))) is InMemoryLockStore


def test_redis_lock_store_when_configured(env):
    env.setenv("LOCK_STORE", "redis")
    store = LockStore.create(endpoint("lock_store"))
    assert type(store) is GuardedRedisLockStore
    assert store.red.connection_pool.connection_kwargs["port"] == 6379


@pytest.mark.parametrize("key,value", [("TRACKER_STORE", "mongo"), ("LOCK_STORE", "sql")])
def test_an_unknown_store_stops_start_up_with_the_key_named(env, key, value):
    env.setenv(key, value)
    with pytest.raises(StoreSettingError, match=key):
        TrackerStore.create(endpoint("tracker_store"))
        LockStore.create(endpoint("lock_store"))

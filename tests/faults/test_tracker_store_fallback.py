"""Rasa's silent fallback to an in-memory tracker store is caught.

Rasa 3.6 replaces a configured tracker store it cannot load or create (ImportError or
AttributeError, e.g. a database driver that is not installed) with its plain in-memory store,
logging only a warning: conversations would then be lost on restart and not shared between
servers. These tests let Rasa's own factory do the fallback, then check that the health route
reports it (503, `tracker_store` failing) and that the start-up check logs an ALERT. (Stores
that fail while running are covered by test_stores_down.py on the scaled stack.)"""
from __future__ import annotations

import asyncio
import logging
import warnings

from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.utils.endpoints import EndpointConfig

from channels import health as health_route
from stores import health
from stores.tracker_store import GuardedInMemoryTrackerStore


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def rasa_creates(**config) -> TrackerStore:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Rasa's own "Using InMemoryTrackerStore instead"
        return TrackerStore.create(EndpointConfig(**config))


def agent_with(store: TrackerStore) -> Agent:
    # Agent wraps the store in FailSafeTrackerStore, as `rasa run` does.
    return Agent(tracker_store=store)


def test_a_missing_database_driver_makes_rasa_fall_back_and_the_health_route_says_so():
    health.reset_for_tests()
    # The PostgreSQL store (TRACKER_STORE=postgresql) with a driver that is not installed here.
    store = rasa_creates(type="stores.tracker_store.GuardedSQLTrackerStore", url="127.0.0.1",
                         dialect="postgresql+pg8000", db="rasa_tracker")
    assert type(store) is InMemoryTrackerStore, "Rasa no longer falls back silently: revisit this check"
    agent = agent_with(store)
    assert health_route.tracker_store_fell_back(agent)
    status, body = run(health_route.health_report(agent))
    assert status == 503 and body["status"] == "failing"
    assert body["components"]["tracker_store"]["status"].startswith("failing (Rasa fell back")


def test_a_misnamed_store_class_is_caught_the_same_way():
    store = rasa_creates(type="stores.tracker_store.NoSuchTrackerStore")
    assert health_route.tracker_store_fell_back(agent_with(store))


def test_the_configured_stores_are_not_mistaken_for_a_fallback():
    health.reset_for_tests()
    assert not health_route.tracker_store_fell_back(agent_with(GuardedInMemoryTrackerStore()))
    status, body = run(health_route.health_report(agent_with(GuardedInMemoryTrackerStore())))
    assert body["components"]["tracker_store"]["status"] == "ok"
    assert body["components"]["model"]["status"].startswith("failing"), "no model in this test"


def test_the_start_up_check_logs_an_alert(caplog):
    class App:
        class ctx:
            agent = agent_with(rasa_creates(type="stores.tracker_store.NoSuchTrackerStore"))

    blueprint = health_route.HealthInput().blueprint(lambda message: None)
    listeners = [future.listener for future in blueprint._future_listeners if future.event == "after_server_start"]
    assert listeners
    caplog.set_level(logging.ERROR, logger="plr.health")
    run(listeners[0](App, None))
    assert any(r.getMessage().startswith("ALERT tracker_store unavailable: Rasa fell back") for r in caplog.records)

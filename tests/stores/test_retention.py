"""Idle conversations are deleted by the running store itself (stores/retention.py)."""
from __future__ import annotations

import asyncio
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores.retention import RetentionSettings, RetentionSweeper
from stores.tracker_store import GuardedInMemoryTrackerStore


def test_settings_come_from_the_environment_and_refuse_nonsense():
    assert RetentionSettings.from_env({}) == RetentionSettings(30.0, 3600.0)
    assert RetentionSettings.from_env({"TRACKER_RETENTION_DAYS": "7", "TRACKER_RETENTION_SWEEP_SECONDS": "60"}) \
        == RetentionSettings(7.0, 60.0)
    for bad in ("0", "-1", "thirty"):
        with pytest.raises(ValueError, match="TRACKER_RETENTION_DAYS"):
            RetentionSettings.from_env({"TRACKER_RETENTION_DAYS": bad})


def store(days: float, sweep_seconds: float = 3600) -> GuardedInMemoryTrackerStore:
    return GuardedInMemoryTrackerStore(Domain.empty(), retention_settings=RetentionSettings(days, sweep_seconds))


def conversation(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [UserUttered("hello", {"name": "greet", "confidence": 1.0})])


def test_the_sweep_deletes_only_conversations_idle_longer_than_the_limit():
    async def scenario():
        memory = store(days=30)
        await memory.save(conversation("old"))
        await memory.save(conversation("recent"))
        memory.last_active["old"] = time.time() - 31 * 86400
        memory.last_active["recent"] = time.time() - 29 * 86400
        assert await memory.retention.sweep_once() == 1
        assert set(await memory.keys()) == {"recent"}
        memory.retention.stop()

    asyncio.new_event_loop().run_until_complete(scenario())


def test_an_expired_conversation_is_gone_when_asked_for_before_any_sweep():
    async def scenario():
        memory = store(days=30)
        await memory.save(conversation("old"))
        memory.retention.stop()
        memory.last_active["old"] = time.time() - 31 * 86400
        assert await memory.retrieve("old") is None or not (await memory.retrieve("old")).events
        assert await memory.retrieve_full_tracker("old") is None
        assert "old" not in memory.store

    asyncio.new_event_loop().run_until_complete(scenario())


def test_the_sweep_runs_by_itself_once_the_store_is_used():
    async def scenario():
        memory = store(days=0.2 / 86400, sweep_seconds=0.05)  # 0.2 s
        await memory.save(conversation("someone"))
        assert "someone" in memory.store
        await asyncio.sleep(0.6)
        assert "someone" not in memory.store
        memory.retention.stop()

    asyncio.new_event_loop().run_until_complete(scenario())


def test_a_failing_sweep_is_reported_and_tried_again(caplog):
    calls = []

    async def sweep(cutoff):
        calls.append(cutoff)
        raise OSError("database gone")

    async def scenario():
        sweeper = RetentionSweeper(sweep, RetentionSettings(1, 0.05))
        sweeper.ensure_running()
        await asyncio.sleep(0.3)
        sweeper.stop()

    asyncio.new_event_loop().run_until_complete(scenario())
    assert len(calls) >= 3
    assert any("ALERT tracker retention failed (OSError)" in r.getMessage() for r in caplog.records)


def test_outside_an_event_loop_nothing_is_scheduled():
    sweeper = RetentionSweeper(lambda cutoff: None, RetentionSettings())
    sweeper.ensure_running()
    assert sweeper._task is None

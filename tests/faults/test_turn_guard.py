"""The pieces that turn a failure into a clear answer, without services: the per-conversation
limiter, the turn guard, the tracker store that keeps a failed turn out, and text cleaning."""
from __future__ import annotations

import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered

from channels import guard
from channels.ratelimit import ConversationLimiter
from stores import health, turn
from stores.tracker_store import GuardedInMemoryTrackerStore
from tests.clock import Clock, run


def test_limiter_allows_a_burst_then_refuses_then_refills():
    clock = Clock()
    limiter = ConversationLimiter(per_minute=60, burst=5, max_in_flight=10, clock=clock)
    permits = [limiter.try_acquire("a") for _ in range(5)]
    assert all(permits)
    for permit in permits:
        permit.release()
    assert limiter.try_acquire("a") is None, "the sixth message within the burst is refused"
    assert limiter.try_acquire("b") is not None, "another conversation is not affected"
    assert limiter.retry_after("a") >= 1.0
    clock.now += 2.0  # one token per second
    assert limiter.try_acquire("a") is not None
    assert limiter.refused == 1


def test_limiter_caps_messages_in_flight_per_conversation():
    limiter = ConversationLimiter(per_minute=600, burst=100, max_in_flight=2, clock=Clock())
    first, second = limiter.try_acquire("a"), limiter.try_acquire("a")
    assert first and second
    assert limiter.try_acquire("a") is None, "a third message while two are handled is refused"
    first.release()
    first.release()  # releasing twice counts once
    third = limiter.try_acquire("a")
    assert third is not None
    assert limiter.try_acquire("a") is None


def test_limiter_forgets_idle_conversations_beyond_its_bound():
    limiter = ConversationLimiter(max_tracked=100, clock=Clock())
    busy = limiter.try_acquire("busy")
    for index in range(1000):
        limiter.try_acquire(f"c{index}").release()
    assert len(limiter) <= 100
    assert limiter.try_acquire("busy") is not None  # still tracked: it had a message in flight
    busy.release()


@pytest.mark.parametrize("raw, clean", [
    ("hello\x00 wor\x1bld", "hello world"),
    ("\x00\x01\x02", ""),
    ("line one\nline two\ttab", "line one line two tab"),
    ("\u202eyes\u202c", "yes"),
    ("  emoji 😀 and مرحبا  ", "emoji 😀 and مرحبا"),
])
def test_clean_text_removes_control_characters_only(raw, clean):
    assert guard.clean_text(raw) == clean


def message(sender="conv-1"):
    return UserMessage("hello", CollectingOutputChannel(), sender)


def test_guard_reports_ok_failure_and_flood():
    turn_guard = guard.TurnGuard(ConversationLimiter(per_minute=60, burst=10, max_in_flight=1))

    async def fine(_):
        return None

    async def broken(_):
        raise RuntimeError("boom")

    async def lock_down(_):
        raise LockError("no redis")

    assert run(turn_guard.handle(fine, message())).status == guard.OK
    failed = run(turn_guard.handle(broken, message()))
    assert failed.status == guard.FAILED and failed.failures == [turn.PROCESSING]
    assert run(turn_guard.handle(lock_down, message())).failures == [turn.LOCK_STORE]

    async def slow(_):
        await asyncio.sleep(0.2)

    async def two_at_once():
        return await asyncio.gather(turn_guard.handle(slow, message("c2")), turn_guard.handle(slow, message("c2")))

    statuses = sorted(outcome.status for outcome in run(two_at_once()))
    assert statuses == [guard.OK, guard.RATE_LIMITED]


def test_an_action_failure_logged_by_rasa_fails_the_turn():
    """Rasa's processor only logs a failed custom action (and carries on): that log fails the turn."""
    turn_guard = guard.TurnGuard(ConversationLimiter())

    async def action_server_down(_):
        try:
            raise ConnectionError("action server refused")
        except ConnectionError:
            logging.getLogger("rasa.core.processor").exception("Encountered an exception while running action")

    async def harmless_error_log(_):
        logging.getLogger("rasa.core.processor").error("an error without a traceback")
        logging.getLogger("elsewhere").exception("not Rasa's")

    outcome = run(turn_guard.handle(action_server_down, message()))
    assert outcome.status == guard.FAILED and outcome.failures == [turn.ACTIONS]
    assert run(turn_guard.handle(harmless_error_log, message())).status == guard.OK
    # Outside a turn nothing is recorded and nothing breaks.
    logging.getLogger("rasa.core.processor").error("outside", exc_info=(RuntimeError, RuntimeError("x"), None))


def test_a_failed_turn_is_not_saved_and_a_good_one_is():
    health.reset_for_tests()
    store = GuardedInMemoryTrackerStore(Domain.from_yaml('version: "3.1"\nslots:\n  given_name:\n    type: text\n'
                                                         '    mappings: [{type: custom}]\n'))

    async def scenario():
        tracker = await store.get_or_create_tracker("s1")
        tracker.update(UserUttered("first"))
        with turn.open_turn():
            await store.save(tracker)
        saved = len((await store.retrieve("s1")).events)

        tracker.update(UserUttered("second"))
        tracker.update(SlotSet("given_name", "Synthetic"))
        with turn.open_turn() as current:
            current.fail(turn.ACTIONS)
            await store.save(tracker)
        after_failure = await store.retrieve("s1")

        await store.save(tracker)  # outside a turn (HTTP API): saved as usual
        return saved, after_failure, await store.retrieve("s1")

    saved, after_failure, after_api = run(scenario())
    assert len(after_failure.events) == saved, "the failed turn's events were not kept"
    assert after_failure.get_slot("given_name") is None
    assert after_api.get_slot("given_name") == "Synthetic"


def test_an_outage_logs_one_alert_and_its_recovery(caplog):
    health.reset_for_tests()
    caplog.set_level(logging.INFO, logger="plr.health")
    for _ in range(5):
        health.failed("tracker_store", ConnectionRefusedError("refused"), "read")
    health.ok("tracker_store")
    health.ok("tracker_store")
    health.failed("tracker_store", ConnectionRefusedError("refused"), "write")
    alerts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT")]
    recovered = [r.getMessage() for r in caplog.records if r.getMessage().startswith("RECOVERED")]
    assert len(alerts) == 2 and "ConnectionRefusedError" in alerts[0]
    assert len(recovered) == 1


def test_the_raising_form_turns_a_failed_or_refused_turn_into_an_exception():
    """For the telephone channel, whose own error path apologises and puts the caller through."""
    turn_guard = guard.TurnGuard(ConversationLimiter(max_in_flight=1))

    async def fine(_):
        return None

    async def broken(_):
        raise LockError("no redis")

    run(turn_guard.raising(fine)(message()))
    with pytest.raises(guard.TurnNotHandled) as failed:
        run(turn_guard.raising(broken)(message()))
    assert failed.value.outcome.failures == [turn.LOCK_STORE]


class PushedOutput(guard.QuietAfterFailure, CollectingOutputChannel):
    """A channel that pushes each reply as it comes (as socket.io does), recorded here."""


def test_a_turn_in_which_the_assistant_said_nothing_is_answered_on_pushing_channels():
    turn_guard = guard.TurnGuard(ConversationLimiter())

    async def silent(_):
        return None  # Rasa predicted "listen" straight away

    async def says_hello(msg):
        await msg.output_channel.send_response(msg.sender_id, {"text": "Hello"})

    pushed = UserMessage("hello\x1b", PushedOutput(), "conv-silent")
    assert run(turn_guard.handle(silent, pushed)).status == guard.OK
    assert [m["text"] for m in pushed.output_channel.messages] == [guard.no_reply_text()]
    assert guard.helpdesk_phone() in guard.no_reply_text()

    answered = UserMessage("hello", PushedOutput(), "conv-answered")
    run(turn_guard.handle(says_hello, answered))
    assert [m["text"] for m in answered.output_channel.messages] == ["Hello"], "no extra message after a reply"

    # The REST channel collects and checks the replies itself: nothing is added to its collector.
    collected = message("conv-rest")
    run(turn_guard.handle(silent, collected))
    assert collected.output_channel.messages == []

"""PROPOSAL (measured by `make bench -- --history-compaction`): keep a conversation's stored
history bounded, so the cost of a turn stops growing with the length of the conversation.

Why: per turn, Rasa 3.6 deserialises the whole stored tracker and, for every action it predicts,
each policy recomputes the states of the whole history (`tracker.past_states`) before slicing
them to `max_history`. Both are O(events): in a 200-turn conversation py-spy shows tracker
deserialisation and `states_for_tracker_history` taking ~60 % of the time of a turn, and the
median turn gets several times slower. `max_history` bounds what the policies look at, not
what they compute.

How: when a retrieved tracker holds more than `max_events` events, it is rebuilt as a new
session that starts with the state reached `keep_turns` user turns ago (one SlotSet per slot
that is set, the active form) followed by those last turns' real events. Policies see the same
recent turns and the same slots and form; the store then saves the shorter tracker. Older
events are dropped (data minimisation; the exported story of a very long conversation starts
at the last compaction). The stores that rewrite the whole tracker on save (in memory, Redis)
can use it as is; Rasa's SQL store appends only the events after its own count, so it would
need the new session written explicitly (not done here).
"""
from __future__ import annotations

import logging
from typing import Any, List, Optional

from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


def compact(tracker: DialogueStateTracker, slots: List[Any], keep_turns: int) -> Optional[DialogueStateTracker]:
    """The tracker as a new session holding only its last `keep_turns` user turns (None: too short)."""
    events = list(tracker.events)
    users = [i for i, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(users) <= keep_turns:
        return None
    cut = users[-keep_turns]
    # Start the kept part at the action_listen before that user message, as a real turn starts.
    def listens(event: Any) -> bool:
        return isinstance(event, ActionExecuted) and event.action_name == "action_listen"

    while cut > 0 and not listens(events[cut - 1]):
        cut -= 1
    if cut <= 1:
        return None
    cut -= 1
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], slots=slots)
    stamp = events[cut].timestamp
    head: List[Any] = [ActionExecuted("action_session_start", timestamp=stamp), SessionStarted(timestamp=stamp)]
    head += [SlotSet(slot.name, slot.value, timestamp=stamp) for slot in before.slots.values()
             if slot.value != slot.initial_value]
    if before.active_loop_name:
        head.append(ActiveLoop(before.active_loop_name, timestamp=stamp))
    return DialogueStateTracker.from_events(tracker.sender_id, head + events[cut:], slots=slots)


class CompactingMixin:
    """Put before a tracker store class whose save() writes the whole tracker."""

    def __init__(self, *args: Any, max_events: Any = 150, keep_turns: Any = 8, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_events = int(max_events)
        self.keep_turns = int(keep_turns)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve(sender_id)  # type: ignore[misc]
        if tracker is not None and len(tracker.events) > self.max_events:
            compacted = compact(tracker, self.domain.slots, self.keep_turns)  # type: ignore[attr-defined]
            if compacted is not None:
                logger.debug("history compacted: %d -> %d events", len(tracker.events), len(compacted.events))
                return compacted
        return tracker


def _guarded_in_memory():
    from stores.tracker_store import GuardedInMemoryTrackerStore

    return GuardedInMemoryTrackerStore


class CompactingGuardedInMemoryTrackerStore(CompactingMixin, _guarded_in_memory()):
    """endpoints.yml's store (stores/tracker_store.py) with a bounded history."""

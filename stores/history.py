"""A conversation's stored history kept bounded, so a turn costs the same at turn 200 as at turn 5.

Per turn, Rasa 3.6 deserialises the whole stored tracker and, for every action it predicts,
each policy recomputes the states of the whole history (`tracker.past_states`) before slicing
them to `max_history`. Both grow with the conversation: in a 200-turn conversation py-spy showed
them taking most of a late turn, and the turns got slower and slower. `make bench` measures this
as its long conversation (the p50 of the last 20 turns against the first 20; target at most 1.5x).

When a retrieved tracker holds more than `max_events` events, it is rebuilt as a new session
that starts with the state reached `keep_turns` user turns ago (one SlotSet per slot that is
set, the active form) followed by those last turns' real events. The policies see the same
recent turns (more than TED's and memoization's max_history), the same slots and the same form;
the store then saves the shorter tracker. Older events are dropped (data minimisation; the
exported story of a very long conversation starts at the last compaction).

Only for the in-memory store, which rewrites the whole tracker on save. Rasa's SQL store
appends the events after its own count and reads only from the last session start, so it is
left as it is (docs/deploy.md).
"""
from __future__ import annotations

import logging
from typing import Any, List, Optional

from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# endpoints.yml sets both; these are the defaults when it does not.
MAX_EVENTS = 150
KEEP_TURNS = 8


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


def bounded(tracker: Optional[DialogueStateTracker], slots: List[Any], max_events: int,
            keep_turns: int) -> Optional[DialogueStateTracker]:
    """The tracker itself while it is short enough, else its compacted form."""
    if tracker is None or len(tracker.events) <= max_events:
        return tracker
    compacted = compact(tracker, slots, keep_turns)
    if compacted is None:
        return tracker
    logger.debug("history compacted: %d -> %d events", len(tracker.events), len(compacted.events))
    return compacted

"""Replay a conversation's history once per prediction, not once per policy.

For every action it predicts, Rasa 3.6 asks each policy for the dialogue states of the whole
history: MemoizationPolicy once, RulePolicy two or three times (with and without the text,
for the loop's unhappy path), TEDPolicy once when it runs. Each ask replays every event from
an empty tracker (`generate_all_prior_trackers`, `applied_events`) and builds the state at
each action, although the answers differ only in how those per-action states are then
filtered (`ignore_rule_only_turns`, `rule_only_data`). Under `make bench` load py-spy shows
`states_for_tracker_history` as a large share of the Rasa server's CPU.

Here `Domain.states_for_tracker_history` keeps, for the last few trackers, what the replay
gives at each action (the state, the previous action, follow-up action and loop, and whether
the turn is hidden) and runs Rasa's filtering loop on copies of those. The entry is used only
for the same tracker object with the very same events (checked by identity on every call);
any other tracker, or one event more, is replayed as Rasa does. tests/model/test_shared_states.py
compares the result with Rasa's own for every argument combination at every step of the test
and training stories (and the same stories off script), before and after the cache is warm.

Installed with the others by speedups.install() (Rasa servers only; training keeps Rasa's).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import rasa.shared.core.constants as core_constants
from rasa.shared.core.domain import Domain

_original = Domain.states_for_tracker_history
KEPT = 4


class Step(NamedTuple):
    """The replayed tracker at one action, as states_for_tracker_history reads it."""

    hide_rule_turn: bool
    prev_action: Optional[Dict[str, Any]]
    followup_action: Optional[str]
    latest_action_name: Optional[str]
    active_loop_name: Optional[str]
    state: Dict[str, Any]


class _Entry(NamedTuple):
    domain: Domain
    tracker: Any
    events: Tuple[Any, ...]  # strong references, so the ids below cannot be reused
    event_ids: Tuple[int, ...]
    steps: List[Step]


_entries: OrderedDict[Tuple[int, int, bool], _Entry] = OrderedDict()


def _replay(domain: Domain, tracker: Any, omit_unset_slots: bool) -> List[Step]:
    return [Step(hide_rule_turn, domain._get_prev_action_sub_state(prior), prior.followup_action,
                 prior.latest_action_name, prior.active_loop_name,
                 domain.get_active_state(prior, omit_unset_slots=omit_unset_slots))
            for prior, hide_rule_turn in tracker.generate_all_prior_trackers()]


def steps(domain: Domain, tracker: Any, omit_unset_slots: bool) -> List[Step]:
    events = tuple(tracker.events)
    event_ids = tuple(map(id, events))
    key = (id(domain), id(tracker), bool(omit_unset_slots))
    entry = _entries.get(key)
    if entry is not None and entry.domain is domain and entry.tracker is tracker and entry.event_ids == event_ids:
        _entries.move_to_end(key)
        return entry.steps
    found = _replay(domain, tracker, omit_unset_slots)
    _entries[key] = _Entry(domain, tracker, events, event_ids, found)
    _entries.move_to_end(key)
    while len(_entries) > KEPT:
        _entries.popitem(last=False)
    return found


def _fresh(state: Dict[str, Any]) -> Dict[str, Any]:
    # Callers change states in place (removing text, rule-only slots); sub-state values are
    # strings, numbers and tuples, so a copy of each sub-state dict is a full copy.
    return {kind: dict(sub_state) for kind, sub_state in state.items()}


def states_for_tracker_history(self: Domain, tracker: Any, omit_unset_slots: bool = False,
                               ignore_rule_only_turns: bool = False,
                               rule_only_data: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    # Rasa's loop (rasa/shared/core/domain.py), reading the replayed steps instead of trackers.
    states: List[Dict[str, Any]] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for step in steps(self, tracker, omit_unset_slots):
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = step.prev_action
            if not step.followup_action and not step.latest_action_name == step.active_loop_name:
                turn_was_hidden = step.hide_rule_turn
            if turn_was_hidden:
                continue
        state = _fresh(step.state)
        if ignore_rule_only_turns:
            self._remove_rule_only_features(state, rule_only_data)
            if states:
                self._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[core_constants.PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(self._clean_state(state))
    return states


def install() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history


def uninstall() -> None:
    Domain.states_for_tracker_history = _original
    _entries.clear()

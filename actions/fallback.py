"""Two-stage fallback for messages the NLU is unsure about (FallbackClassifier).

First miss: a clarifying question offering the two likeliest topics as buttons, with
readable titles (Welsh ones in a Welsh conversation). A second miss in a row: the helpdesk.
The action only decides and fills slots; the rules in data/rules/fallback.yml send the
responses from domain/handoff.yml (content/cy/handoff.yml in Welsh).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import helpdesk_slots
from actions.language import language_of
from actions.titles import FAQ_INTENT, Choice, Titles, titles, topic_of

FALLBACK_INTENT = "nlu_fallback"
# Below this combined confidence an option is noise, not a likely meaning.
MIN_SCORE = 0.02
MAX_CHOICES = 2


def consecutive_misses(events: Iterable[Dict[str, Any]]) -> int:
    """How many of the latest user messages in a row were not understood (this one included).

    A message was a miss when the NLU was unsure (nlu_fallback) or when the assistant answered it
    with this fallback (a bare detail that no question asked for). The latest message is the one
    this action is running for, so it is a miss whatever its intent.
    """
    misses = 0
    answered_by_fallback = False  # among the actions after the user message reached next (walking back)
    latest = True
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "action" and event.get("name") == "action_session_start":
            break
        if kind == "action" and event.get("name") == "action_fallback_options":
            answered_by_fallback = True
            continue
        if kind != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if not (latest or intent == FALLBACK_INTENT or answered_by_fallback):
            break
        misses += 1
        latest = False
        answered_by_fallback = False
    return misses


def _scored_choices(parse_data: Dict[str, Any], names: Titles) -> List[Tuple[float, Choice]]:
    scored: List[Tuple[float, Choice]] = []
    selector = (parse_data.get("response_selector") or {}).get(FAQ_INTENT) or {}
    for item in parse_data.get("intent_ranking") or []:
        intent, confidence = item.get("name"), float(item.get("confidence") or 0.0)
        if intent == FALLBACK_INTENT:
            continue
        if intent == FAQ_INTENT:
            # An FAQ guess is only as likely as both the intent and the topic.
            for ranked in selector.get("ranking") or []:
                topic = topic_of(ranked.get("intent_response_key", ""))
                choice = names.topic_choice(topic) if topic else None
                if choice:
                    scored.append((confidence * float(ranked.get("confidence") or 0.0), choice))
        else:
            choice = names.intent_choice(intent)
            if choice:
                scored.append((confidence, choice))
    return scored


def likeliest_choices(
    parse_data: Dict[str, Any], names: Titles | None = None, limit: int = MAX_CHOICES
) -> List[Choice]:
    """The likeliest things the learner meant that a button can offer, best first."""
    scored = _scored_choices(parse_data or {}, names or titles())
    scored.sort(key=lambda pair: pair[0], reverse=True)
    chosen: List[Choice] = []
    for score, choice in scored:
        if score < MIN_SCORE or len(chosen) == limit:
            break
        if all(choice.payload != other.payload for other in chosen):
            chosen.append(choice)
    return chosen


def choice_slots(choices: List[Choice]) -> List[EventType]:
    count = ["none", "one", "two"][len(choices)]
    events: List[EventType] = [SlotSet("fallback_choices", count)]
    for index in (1, 2):
        choice = choices[index - 1] if len(choices) >= index else None
        events.append(SlotSet(f"fallback_option_{index}_title", choice.title if choice else None))
        events.append(SlotSet(f"fallback_option_{index}_payload", choice.payload if choice else None))
    return events


class ActionFallbackOptions(Action):
    def name(self) -> str:
        return "action_fallback_options"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        language = language_of(tracker)
        if consecutive_misses(tracker.events) >= 2:
            return [SlotSet("fallback_stage", "helpdesk"), *helpdesk_slots(language)]
        # The buttons' titles, and a topic's question, in the conversation's language.
        choices = likeliest_choices(tracker.latest_message or {}, titles(language))
        return [SlotSet("fallback_stage", "clarify"), *choice_slots(choices)]

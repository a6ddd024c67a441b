"""What the model tests read from a loaded agent: its graph's components and the conversations
of the test stories (and training stories) as trackers."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, List, Tuple

from rasa.core.agent import Agent
from rasa.core.test import _create_data_generator
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]


def component(agent: Agent, name_part: str) -> Any:
    """The loaded component of the graph node whose name contains `name_part` (e.g. "TEDPolicy")."""
    return next(node._component for name, node in agent.processor.graph_runner._instantiated_nodes.items()
                if name_part in name)


def story_trackers(agent: Agent, with_training_stories: bool = True) -> List[DialogueStateTracker]:
    """The test stories' conversations (and the training stories' and rules'), in a fixed order."""
    sources = [(ROOT / "tests" / "stories", True)] + ([(ROOT / "data", False)] if with_training_stories else [])
    trackers = []
    for folder, conversation_tests in sources:
        generator = _create_data_generator(str(folder), agent, use_conversation_test_files=conversation_tests)
        trackers += sorted(generator.generate_story_trackers(), key=lambda tracker: tracker.sender_id)
    return trackers


def situations(agent: Agent) -> Iterator[Tuple[str, List[Event]]]:
    """Every point of every story where an action is predicted, and the same stories gone off
    script: each user turn replaced by other intents, where no rule or story may be certain."""
    intents = sorted(agent.domain.intents)
    for tracker in story_trackers(agent):
        events = list(tracker.events)
        for index, event in enumerate(events):
            if isinstance(event, ActionExecuted) and index > 0:
                yield f"{tracker.sender_id}@{index}", events[:index]
            if isinstance(event, UserUttered) and event.intent_name in intents:
                at = intents.index(event.intent_name)
                for shift in (1, 7):
                    other = intents[(at + shift) % len(intents)]
                    yield (f"{tracker.sender_id}@{index}:{other}",
                           events[:index] + [UserUttered(event.text, {"name": other, "confidence": 1.0})])


def outcome(agent: Agent, sender: str, events: List[Event]) -> tuple:
    # a fresh tracker for each agent: a prediction may consume a follow-up action
    tracker = DialogueStateTracker.from_events(sender, events, slots=agent.domain.slots)
    prediction = agent.processor._predict_next_with_tracker(tracker)
    return (prediction.policy_name, prediction.max_confidence_index, round(prediction.max_confidence, 6),
            prediction.is_no_user_prediction, [str(event) for event in prediction.events])

"""What the model tests read from a loaded agent: its graph's components and the conversations
of the test stories (and training stories) as trackers."""
from __future__ import annotations

from pathlib import Path
from typing import Any, List

from rasa.core.agent import Agent
from rasa.core.test import _create_data_generator
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

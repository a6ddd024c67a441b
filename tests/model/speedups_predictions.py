"""Run by tests/model/test_speedups_equivalence.py in a fresh interpreter, once with every speed
change of speedups/ and once with PLR_SPEEDUPS=off: loads the trained model with Rasa's Agent, no
action server, and writes as JSON what it understood and predicted.

    .venv/bin/python -m tests.model.speedups_predictions MODEL OUT.json   (from the repository root)

- the parse of every user text of the test stories (tests/stories/, read by Rasa's YAMLStoryReader);
- the ensemble's prediction at every action step of the test and training stories, and of the same
  stories off script (tests/model/graph_parts.py, as the tests of each patch);
- the parse of every `user` step of the scripted conversations (tests/conversations/), each sent
  through Agent.handle_message as a channel does, all conversations at once, so that turn_order
  and encode_ahead do their work; the parse is read back from the tracker store.

A fresh interpreter for each, because the patches are process-wide and some act when the model is
loaded (ted_gate changes the graph). Every function of the speedups modules is wrapped in a call
counter before `install()`, so the report says which module really ran, and that none ran when off.
"""
from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List

ROOT = Path(__file__).resolve().parents[2]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

import speedups  # noqa: E402

CALLS: Counter = Counter()


def _counted(module_name: str, function: Callable) -> Callable:
    key = f"{module_name}.{function.__name__}"
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def counting_coroutine(*args: Any, **kwargs: Any) -> Any:
            CALLS[key] += 1
            return await function(*args, **kwargs)
        return counting_coroutine

    @functools.wraps(function)
    def counting(*args: Any, **kwargs: Any) -> Any:
        CALLS[key] += 1
        return function(*args, **kwargs)
    return counting


def count_calls() -> None:
    """Wrap before install(): install() and the patches look their functions up in their module,
    so Rasa ends up calling the counters (functools.wraps keeps the signatures Rasa's graph reads)."""
    for module in speedups.MODULES:
        for name, value in list(vars(module).items()):
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                setattr(module, name, _counted(module.__name__.split(".")[-1], value))


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    return value


def understood(parse: Dict[str, Any]) -> Dict[str, Any]:
    intent = parse.get("intent") or {}
    chosen = {retrieval: [selected.get("response", {}).get("intent_response_key"),
                          rounded(selected.get("response", {}).get("confidence"))]
              for retrieval, selected in sorted((parse.get("response_selector") or {}).items())
              if retrieval != "all_retrieval_intents"}
    return {"intent": intent.get("name"), "confidence": rounded(intent.get("confidence")),
            "entities": rounded(parse.get("entities") or []), "response_selector": chosen}


def story_texts() -> List[List[str]]:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    domain = Domain.load(str(ROOT / "domain"))
    texts = []
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for step in YAMLStoryReader(domain, str(path)).read_from_file(path):
            texts += [[f"{path.name}: {step.block_name}", event.text] for event in step.events
                      if isinstance(event, UserUttered) and event.text]
    return texts


def predictions(agent: Any) -> List[list]:
    from tests.model.graph_parts import outcome, situations

    names = agent.domain.action_names_or_texts
    found = []
    for sender, events in situations(agent):
        policy, index, confidence, no_user, new_events = outcome(agent, sender, events)
        found.append([sender, names[index], policy, round(confidence, 4), no_user, new_events])
    return found


async def conversations(agent: Any) -> List[list]:
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import UserUttered

    from stafftools.cases import load_cases
    from stafftools.domain import Domain

    cases, broken = load_cases(ROOT / "tests" / "conversations", Domain.load(ROOT / "domain"))
    assert not broken, broken

    async def one(case: Any) -> List[list]:
        sender = f"speedups-{case.path.stem}"
        for step in case.steps:
            if step.kind == "user":
                await agent.handle_message(UserMessage(step.value, sender_id=sender))
        tracker = await agent.tracker_store.retrieve(sender)
        return [[case.path.name, event.text, understood(event.parse_data)]
                for event in tracker.events if isinstance(event, UserUttered)]

    every = await asyncio.gather(*(one(case) for case in cases))
    return [turn for turns in every for turn in turns]


def without_actions() -> None:
    """No action server: a message is understood and stored, and nothing is run for it (the
    session start, the slot extraction and the prediction loop all call custom actions). The
    same in both runs, and all Rasa's own methods, none that speedups/ replaces."""
    from rasa.core.processor import MessageProcessor

    async def tracker_as_is(self: Any, output_channel: Any, tracker: Any, *args: Any) -> Any:
        return tracker

    async def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    MessageProcessor.run_action_extract_slots = tracker_as_is
    MessageProcessor._run_prediction_loop = nothing
    MessageProcessor._update_tracker_session = nothing


async def main(model: str, out: Path) -> None:
    switched_off = os.environ.get(speedups.SWITCH, "on").strip().lower() in {"off", "0", "false", "no"}
    count_calls()
    installed = speedups.install()
    assert installed is not switched_off, (installed, speedups.reasons_not_to_install())
    without_actions()

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # unconfigured, structlog prints every debug line of every prediction (a third of the time)
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    started = time.monotonic()
    agent = Agent.load(model)
    seconds = {"load": time.monotonic() - started}
    report: Dict[str, Any] = {"installed": installed,
                              "modules": [module.__name__.split(".")[-1] for module in speedups.MODULES]}

    started = time.monotonic()
    texts = story_texts()
    # a parse reads the text alone (no NLU component takes the tracker): once per text is enough
    parses = {text: understood(await agent.parse_message(text)) for text in dict.fromkeys(t for _, t in texts)}
    report["story_parses"] = [[where, text, parses[text]] for where, text in texts]
    seconds["story_parses"] = time.monotonic() - started

    started = time.monotonic()
    report["predictions"] = predictions(agent)
    seconds["predictions"] = time.monotonic() - started

    started = time.monotonic()
    report["conversation_parses"] = await conversations(agent)
    seconds["conversation_parses"] = time.monotonic() - started

    report["calls"] = dict(sorted(CALLS.items()))
    report["seconds"] = {name: round(value, 1) for name, value in seconds.items()}
    out.write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))

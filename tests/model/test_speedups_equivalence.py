"""All the speed changes of speedups/ together give Rasa's own results: the trained model, loaded
in one fresh interpreter with every change installed and in another with PLR_SPEEDUPS=off,
understands every user text of the test stories and the scripted conversations the same way
(intent, confidence, entities, FAQ answer chosen) and predicts the same at every action step of
the test and training stories and of those stories off script (action, policy, confidence,
events). tests/model/speedups_predictions.py does the work in each interpreter.

Each patch has its own test against Rasa's code; this one runs them together, as a server does,
and counts the calls of every speedups function to show which ran. Without an action server
(predictions only) two never run: jsonschema_once checks and endpoint_json encodes what goes to
and from the action server, and turn_order's `outside()` wraps those calls. They are installed in
the "on" run, and their own tests cover them. turn_order's ordering of messages and encode_ahead's
encoding ahead do run: the conversations go through Agent.handle_message, all at once.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[2]
# Run as a module from the repository root, so that it imports tests.model.graph_parts.
HELPER = "tests.model.speedups_predictions"
COMPARED = ("story_parses", "predictions", "conversation_parses")
ONLY_WITH_AN_ACTION_SERVER = {"jsonschema_once", "endpoint_json"}
SHOWN = 10


def run_both(model: Path, folder: Path) -> Dict[str, dict]:
    """Side by side: the two interpreters take about as long as each other, one core each."""
    started = {}
    for switch in ("on", "off"):
        out, log = folder / f"{switch}.json", (folder / f"{switch}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", HELPER, str(model), str(out)], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PLR_SPEEDUPS": switch})
        started[switch] = (process, out, log)
    try:
        for process, _, _ in started.values():
            process.wait(timeout=600)
    finally:
        for process, _, log in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
    reports = {}
    for switch, (process, out, _) in started.items():
        assert process.returncode == 0, \
            f"PLR_SPEEDUPS={switch} run failed:\n" + (folder / f"{switch}.log").read_text()[-4000:]
        reports[switch] = json.loads(out.read_text(encoding="utf-8"))
    return reports


def differences(on: dict, off: dict) -> List[str]:
    found = []
    for key in COMPARED:
        if len(on[key]) != len(off[key]):
            found.append(f"{key}: {len(on[key])} with the speedups, {len(off[key])} without")
        found += [f"{key}[{index}]\n  on:  {a}\n  off: {b}"
                  for index, (a, b) in enumerate(zip(on[key], off[key])) if a != b]
    return found


def test_every_parse_and_prediction_is_the_same_with_all_speedups_on_and_off(trained_model, tmp_path):
    began = time.monotonic()
    reports = run_both(trained_model, tmp_path)
    on, off = reports["on"], reports["off"]
    assert on["installed"] is True and off["installed"] is False

    # Off, not one function of speedups/ ran, not even an install().
    assert off["calls"] == {}
    for module in on["modules"]:
        calls = {name: count for name, count in on["calls"].items() if name.startswith(module + ".")}
        assert calls.pop(f"{module}.install", 0) == 1, (module, calls)
        if module not in ONLY_WITH_AN_ACTION_SERVER:
            assert sum(calls.values()) > 0, f"{module} was installed but never ran"

    sizes = {key: len(off[key]) for key in COMPARED}
    assert sizes["story_parses"] > 200 and sizes["predictions"] > 1000 and sizes["conversation_parses"] > 400, sizes

    found = differences(on, off)
    assert not found, (f"{len(found)} differences with the speedups on (first {SHOWN}):\n"
                       + "\n".join(found[:SHOWN]))
    print(f"compared {sizes} in {time.monotonic() - began:.0f} s; seconds on {on['seconds']}, off {off['seconds']}")

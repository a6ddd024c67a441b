#!/usr/bin/env python3
"""Time one ResponseSelector prediction call three ways, interleaved (the evidence for
speedups/tf_direct_call.py):
Rasa's tf.function, the traced graph's own call (concrete function), and the flat call.

    .venv/bin/python scripts/bench_tf_call.py [--model models/current.tar.gz] [--rounds 40] [--calls 50]

Prints the median milliseconds per call of each; run it on an idle machine.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    from speedups import tf_direct_call
    from tests.model.graph_parts import component

    agent = Agent.load(args.model)
    diet = component(agent, "ResponseSelector").model
    batches = []
    original = RasaModel._rasa_predict

    def keep_batch(self, batch_in):
        if self is diet:
            batches.append(batch_in)
        return original(self, batch_in)

    RasaModel._rasa_predict = keep_batch
    try:
        asyncio.run(agent.parse_message("can i opt back in to sharing my learning record"))
    finally:
        RasaModel._rasa_predict = original
    (batch,) = batches
    step = diet._tf_predict_step
    function = step.function if isinstance(step, tf_direct_call.DirectCall) else step
    direct = tf_direct_call.DirectCall(function)
    ways = {"tf.function": function, "concrete function": direct.graph, "flat call": direct}
    times = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, call in ways.items():
            start = time.perf_counter()
            for _ in range(args.calls):
                call(batch)
            times[name].append((time.perf_counter() - start) / args.calls * 1000)
    for name, values in times.items():
        print(f"{name}: {statistics.median(values):.3f} ms per call (median of {args.rounds} x {args.calls})")


if __name__ == "__main__":
    main()

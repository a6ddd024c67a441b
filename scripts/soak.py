"""`make soak`: 100 concurrent web chat conversations for 2 minutes through nginx, against the
scaled-out stack (testkit/scaled.py: two Rasa servers, two action servers, PostgreSQL, Redis).

Each simulated learner is a socket.io client (long-polling, as tests/scale uses; cookies kept,
so nginx's sticky routing applies) on its own loopback address (127.0.1.x), with its own
conversation: an FAQ question, then a whole opt-out with synthetic details, then again, with
a few seconds of "reading time" between messages. An error is a message with no answer within
REPLY_TIMEOUT, an answer that is not the expected one, a "technical problem" answer, a refusal
by a rate limit, or a dropped connection.

Memory: the resident size of every service's process tree is sampled every 5 s; growth is
measured from the end of the warm-up (30 s) to the end. Results: reports/soak.json and
reports/soak.md, with the machine's load average before, during and after.

Usage: .venv/bin/python scripts/soak.py [--learners 100] [--seconds 120] [--warmup 30]
Exit status 1 when there were errors or RSS grew by 10 % or more after the warm-up.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List

from channels.guard import SLOW_DOWN_TEXT
from testkit.opt_out import REFERENCE
from testkit.scaled import ScaledConfig, ScaledStack
from testkit.stack import ROOT
from testkit.web_learner import WebLearner, texts

REPLY_TIMEOUT = 60.0
PROBLEM = "something went wrong on our side"
GIVEN = ["Anwen", "Briallen", "Cerys", "Dilys", "Elin", "Ffion", "Gwen", "Heledd", "Ina", "Lowri"]
FAMILY = ["Soakfield", "Testwell", "Loadley", "Benchman", "Steadham"]
POSTCODES = ["CF10 3AT", "LS6 3QW", "NE1 4ST", "BS1 5TR", "EX4 6PX", "TR1 2HE"]
ULNS = ["1748529632", "1000000043", "3000000029"]


def script(rng: random.Random) -> List[tuple]:
    """One round of a learner's conversation: (message, text the answer must contain)."""
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1980, 2005)
    return [
        (rng.choice(["what is a ULN?", "who can see my learning record?", "how do I find my ULN?"]), None),
        ("I want to opt out", "LRS team"),
        ("yes", "first name"),
        (f"I'm {given} {family}, born {day}/{month}/{year}, postcode {rng.choice(POSTCODES)}",
         "different family name"),
        ("no", "ULN"),
        ("yes", "10-digit"),
        (rng.choice(ULNS), "email"),
        ("no", "Here is what you told me"),
        ("yes", "REFERENCE"),
    ]


class Results:
    def __init__(self) -> None:
        self.latencies: List[float] = []
        self.errors: Counter = Counter()
        self.error_examples: List[str] = []
        self.messages = 0
        self.submitted = 0
        self.conversations = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 20:
            self.error_examples.append(f"{kind}: {detail[:200]}")


async def learner(index: int, url: str, deadline: float, think: tuple, results: Results) -> None:
    rng = random.Random(index)
    source = f"127.0.1.{index % 250 + 1}"
    person = WebLearner(url, source=source)
    await asyncio.sleep(rng.uniform(0, think[1]))  # do not all arrive in the same second
    try:
        await asyncio.wait_for(person.connect(), REPLY_TIMEOUT)
    except Exception as exc:
        results.error("connect", f"{type(exc).__name__}: {exc}")
        await person.close()
        return
    results.conversations += 1
    try:
        while time.monotonic() < deadline:
            for text, expected in script(rng):
                if time.monotonic() >= deadline:
                    return
                started = time.monotonic()
                try:
                    answer = texts(await person.say(text, quiet=0.8))
                except asyncio.TimeoutError:
                    results.error("no answer", text)
                    return
                except Exception as exc:
                    results.error("connection", f"{type(exc).__name__}: {exc}")
                    return
                results.latencies.append(time.monotonic() - started - 0.8)
                results.messages += 1
                if PROBLEM in answer:
                    results.error("technical problem answer", text)
                elif SLOW_DOWN_TEXT in answer:
                    results.error("rate limited", text)
                elif expected == "REFERENCE":
                    if REFERENCE.search(answer):
                        results.submitted += 1
                    else:
                        results.error("unexpected answer", f"{text!r} -> {answer!r}")
                elif expected and expected not in answer:
                    results.error("unexpected answer", f"{text!r} -> {answer!r}")
                elif not answer:
                    results.error("empty answer", text)
                await asyncio.sleep(rng.uniform(*think))
    finally:
        await person.close()


async def sample_memory(stack: ScaledStack, until: float, samples: List[Dict], interval: float = 5.0) -> None:
    start = time.monotonic()
    while time.monotonic() < until:
        samples.append({"t": round(time.monotonic() - start, 1), "rss_kib": stack.rss_kib(),
                        "load": os.getloadavg()[0]})
        await asyncio.sleep(interval)


def percentile(values: List[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def soak(stack: ScaledStack, learners: int, seconds: float, warmup: float, think: tuple) -> Dict:
    results = Results()
    samples: List[Dict] = []
    started = time.monotonic()
    deadline = started + seconds
    memory = asyncio.ensure_future(sample_memory(stack, deadline + 2, samples))
    await asyncio.gather(*(learner(i, stack.config.public_url, deadline, think, results) for i in range(learners)))
    await memory
    samples.append({"t": round(time.monotonic() - started, 1), "rss_kib": stack.rss_kib(),
                    "load": os.getloadavg()[0]})
    after_warmup = next((s for s in samples if s["t"] >= warmup), samples[0])
    final = samples[-1]
    growth = {}
    for name, rss in final["rss_kib"].items():
        base = after_warmup["rss_kib"].get(name)
        if base:
            growth[name] = round(100.0 * (rss - base) / base, 1)
    total_base = sum(after_warmup["rss_kib"].values())
    total_final = sum(final["rss_kib"].values())
    return {
        "learners": learners, "seconds": seconds, "warmup_seconds": warmup, "think_seconds": list(think),
        "conversations_started": results.conversations, "messages": results.messages,
        "requests_submitted": results.submitted,
        "messages_per_second": round(results.messages / seconds, 1),
        "errors": sum(results.errors.values()), "errors_by_kind": dict(results.errors),
        "error_examples": results.error_examples,
        "latency_seconds": {"p50": round(percentile(results.latencies, 0.5), 3),
                            "p95": round(percentile(results.latencies, 0.95), 3),
                            "p99": round(percentile(results.latencies, 0.99), 3),
                            "max": round(max(results.latencies, default=0.0), 3),
                            "mean": round(statistics.fmean(results.latencies), 3) if results.latencies else 0.0},
        "rss_mib_after_warmup": {k: round(v / 1024, 1) for k, v in after_warmup["rss_kib"].items()},
        "rss_mib_final": {k: round(v / 1024, 1) for k, v in final["rss_kib"].items()},
        "rss_growth_percent": growth,
        "rss_growth_total_percent": round(100.0 * (total_final - total_base) / total_base, 1) if total_base else 0,
        "load_average_during": round(max(s["load"] for s in samples), 2),
        "samples": samples,
    }


def write_reports(report: Dict) -> None:
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "soak.json").write_text(json.dumps(report, indent=2))
    lat = report["latency_seconds"]
    lines = [
        "# Soak test (make soak)", "",
        f"{report['learners']} concurrent web chat conversations (socket.io through nginx) for "
        f"{report['seconds']:.0f} s against two Rasa servers and two action servers with PostgreSQL and Redis; "
        f"think time {report['think_seconds'][0]}-{report['think_seconds'][1]} s.", "",
        f"- messages answered: {report['messages']} ({report['messages_per_second']}/s), "
        f"requests submitted: {report['requests_submitted']}",
        f"- errors: {report['errors']} {report['errors_by_kind'] or ''}",
        f"- reply time p50 {lat['p50']} s, p95 {lat['p95']} s, p99 {lat['p99']} s, max {lat['max']} s",
        f"- RSS growth after the {report['warmup_seconds']:.0f} s warm-up: total "
        f"{report['rss_growth_total_percent']} %; "
        + ", ".join(f"{k} {v} %" for k, v in sorted(report["rss_growth_percent"].items())),
        "- RSS at the end (MiB): " + ", ".join(f"{k} {v}" for k, v in sorted(report["rss_mib_final"].items())),
        f"- load average (1 min): before {report['load_before']}, highest during {report['load_average_during']}, "
        f"after {report['load_after']} on {os.cpu_count()} CPUs",
        f"- stack start-up: {report['startup_seconds']} s",
        f"- verdict: {'PASS' if report['passed'] else 'FAIL'} (zero errors; RSS growth < 10 % for each "
        "Rasa server, action server, the backend, the web page and nginx, and in total)",
    ]
    (reports / "soak.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[4:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warmup", type=float, default=30.0)
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="plr-soak-"))
    load_before = round(os.getloadavg()[0], 2)
    print(f"Starting the scaled stack (load average {load_before}) ...", flush=True)
    # Soak learners share 127.0.1.x addresses; the usual per-address limits apply to each.
    stack = ScaledStack(ScaledConfig(work_dir=work, model=args.model.resolve()))
    started = time.monotonic()
    try:
        stack.start()
        startup = round(time.monotonic() - started, 1)
        print(f"Stack up in {startup} s; {args.learners} learners for {args.seconds:.0f} s ...", flush=True)
        report = asyncio.run(soak(stack, args.learners, args.seconds, args.warmup, tuple(args.think)))
        dead = [name for name, service in stack.services.items() if not service.alive()]
    finally:
        stack.stop()
    report.update(startup_seconds=startup, load_before=load_before, load_after=round(os.getloadavg()[0], 2),
                  services_dead_at_end=dead)
    # The application processes are judged one by one (a leak there is what a soak looks for);
    # PostgreSQL's and Redis's resident size grows as they cache and is reported, not judged.
    judged = {name: value for name, value in report["rss_growth_percent"].items()
              if name.startswith(("rasa-", "actions-", "backend", "web", "nginx"))}
    report["rss_growth_judged"] = judged
    report["passed"] = (report["errors"] == 0 and not dead and all(value < 10.0 for value in judged.values())
                        and report["rss_growth_total_percent"] < 10.0)
    write_reports(report)
    if report["passed"]:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"Logs kept in {work}/log", file=sys.stderr)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())

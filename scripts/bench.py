#!/usr/bin/env python3
"""`make bench`: speed and memory of the assistant, beside the `rasa init` bot on the same machine.

    .venv/bin/python scripts/bench.py                     # the full run (about 20-25 minutes)
    .venv/bin/python scripts/bench.py --duration 15 --skip-train    # a quick look while developing

1. Reference bot: `rasa init --no-prompt` in a temporary folder (trains its model).
2. The assistant (models/current.tar.gz): backend, action server and Rasa on free ports, Rasa's
   cold start timed (process start to the first answer); closed-loop load through the REST
   channel at 1, 10 and 50 simulated learners (stafftools/scenarios.py: questions, a
   full opt-out with one validation error and the backend write); CPU and peak RSS of each
   service from /proc; then one 200-turn conversation (first 20 vs last 20 turns).
3. The reference bot under the same load with its own conversations.
4. Training time of the full assistant: a fresh `rasa train` with an empty cache.

Writes reports/bench.json (the figures the issue names), reports/bench-details.json (services,
errors, machine, load average) and reports/bench.md. Exit 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

from stafftools import machine
from stafftools.benchmd import render, verdicts
from stafftools.domain import Domain
from stafftools.loadgen import run_load, run_sequence
from stafftools.procstats import Sampler
from stafftools.scenarios import assistant_learner, long_conversation, reference_learner
from stafftools.signals import exit_on_termination
from stafftools.stackctl import ROOT
from stafftools.stats import percentile
from testkit.limits import ONE_CLIENT_FOR_MANY_LEARNERS
from testkit.ports import free_port
from testkit.process import Service
from testkit.stack import Stack, StackConfig, project_env

RASA = str(ROOT / ".venv" / "bin" / "rasa")
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
TENSORFLOW_KEYS = ("TF_ENABLE_ONEDNN_OPTS",)
# The long conversation sends 200 messages back to back from one sender, far above the REST
# channel's per-conversation flood limit (channels/ratelimit.py): lifted in the bench's own stack.
# Its learners all come from 127.0.0.1, so the per-address limits are lifted too (testkit/limits.py).
BENCH_ENV = {"CONVERSATION_MESSAGES_PER_MINUTE": "1000000", "CONVERSATION_BURST": "1000000",
             **ONE_CLIENT_FOR_MANY_LEARNERS}


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S} load {machine.load_average():.2f}] {message}", flush=True)


def first_answer(rasa_url: str, text: str, timeout: float, service: Service) -> float:
    """Seconds until the REST channel gives a non-empty answer (polls every 0.1 s)."""
    import urllib.error
    import urllib.request

    body = json.dumps({"sender": "cold-start", "message": text}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError(f"{service.name} exited during start-up:\n{service.log_tail()}")
        request = urllib.request.Request(f"{rasa_url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if json.loads(response.read() or b"[]"):
                    return time.monotonic()
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no answer from {rasa_url} after {timeout:.0f}s:\n{service.log_tail()}")


def start_rasa(name: str, argv: List[str], env: Dict[str, str], cwd: Path, log_dir: Path, rasa_url: str,
               first_message: str = "hello") -> tuple[Service, float]:
    service = Service(name, argv, log_dir / f"{name}.log", env=env, cwd=cwd)
    started = time.monotonic()
    service.start()
    try:
        answered = first_answer(rasa_url, first_message, 300, service)
    except BaseException:
        service.stop()
        raise
    return service, round(answered - started, 2)


def measure_levels(name: str, rasa_url: str, domain: Domain, learner, levels: List[int], sampler: Sampler,
                   duration: float, warmup: float) -> List[Dict]:
    results = []
    for users in levels:
        log(f"{name}: {users} learner(s), {warmup:.0f}s warm-up + {duration:.0f}s measured")
        load_before = machine.load_average()
        sampler.mark()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        result = asyncio.run(run_load(rasa_url, domain, learner, users, duration, warmup, prefix=f"{name[:3]}"))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        figures = result.figures()
        by_label: Dict[str, List[float]] = {}
        for sample in result.samples:
            by_label.setdefault(sample.label, []).append(sample.seconds)
        results.append({
            "figures": figures,
            "messages": len(result.samples),
            "error_kinds": result.error_kinds(),
            "services": sampler.window(),
            "load_generator_cpu_seconds": round((cpu_after.ru_utime + cpu_after.ru_stime)
                                                - (cpu_before.ru_utime + cpu_before.ru_stime), 1),
            "p50_ms_by_step": {label: round(percentile(v, 50) * 1000, 1) for label, v in sorted(by_label.items())},
            "load_average_before": load_before,
            "load_average_after": machine.load_average(),
        })
        log(f"  {figures}")
    return results


def reference_bot(workdir: Path) -> tuple[Path, float]:
    folder = workdir / "reference"
    folder.mkdir()  # rasa init wants the folder to exist
    env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(workdir / "reference-cache")}
    started = time.monotonic()
    done = subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(folder)], cwd=workdir, env=env,
                          capture_output=True, text=True)
    seconds = time.monotonic() - started
    models = sorted((folder / "models").glob("*.tar.gz"))
    if done.returncode != 0 or not models:
        raise RuntimeError(f"rasa init failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-2000:]}")
    return models[-1], round(seconds, 1)


def run_assistant(model: Path, workdir: Path, args) -> Dict:
    domain = Domain.load(ROOT / "domain")
    config = StackConfig(rasa_port=free_port(), action_port=free_port(), backend_port=free_port(),
                         web_port=free_port(), model=model, log_dir=workdir / "log", with_web=False,
                         extra_env={"DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
                                    "OUTBOX_PATH": str(workdir / "outbox.sqlite3"), **BENCH_ENV})
    stack = Stack(config)
    env = {**stack.env, **QUIET_ENV}
    rasa_env = {**env, **args.rasa_env}
    rasa_argv = stack.rasa_argv()
    services: Dict[str, Service] = {}
    try:
        services["backend"] = Service("backend", stack.backend_argv(), config.log_dir / "backend.log", env=env,
                                      cwd=ROOT).start()
        services["backend"].wait_http(f"{config.backend_url}/healthz", 180)
        started = time.monotonic()
        services["actions"] = Service("actions", stack.actions_argv(), config.log_dir / "actions.log", env=env,
                                      cwd=ROOT).start()
        services["actions"].wait_http(f"{config.action_url}/health", 180)
        actions_start = round(time.monotonic() - started, 2)
        log("assistant: backend and action server up; starting Rasa (cold start)")
        services["rasa"], cold = start_rasa("rasa", rasa_argv, rasa_env, ROOT, config.log_dir, config.rasa_url)
        log(f"assistant: first answer {cold:.1f}s after Rasa's process started")
        sampler = Sampler({name: s.proc.pid for name, s in services.items()}).start()
        levels = measure_levels("assistant", config.rasa_url, domain, assistant_learner, args.users, sampler,
                                args.duration, args.warmup)
        log(f"assistant: long conversation, {args.long_turns} turns from one sender")
        sampler.mark()
        samples = asyncio.run(run_sequence(config.rasa_url, domain, long_conversation(args.long_turns)))
        long_services = sampler.window()
        first = [s.seconds for s in samples[:20]]
        last = [s.seconds for s in samples[-20:]]
        sampler.stop()
        return {
            "levels": levels,
            "cold_start_seconds": cold,
            "action_server_start_seconds": actions_start,
            "long_conversation": {
                "first_p50_ms": round(percentile(first, 50) * 1000, 1),
                "last_p50_ms": round(percentile(last, 50) * 1000, 1),
                "turns": len(samples), "errors": sum(not s.ok for s in samples),
                "error_kinds": sorted({s.error for s in samples if not s.ok}),
                "p50_ms_by_block_of_20": [round(percentile([s.seconds for s in samples[i:i + 20]], 50) * 1000, 1)
                                          for i in range(0, len(samples), 20)],
                "services": long_services,
            },
            "peak_rss_mb": {name: round(value, 1) for name, value in sampler.peak_rss.items()},
        }
    finally:
        for service in reversed(list(services.values())):
            service.stop()


def tensorflow_settings() -> Dict[str, str]:
    """The assistant's TensorFlow settings (read as its stack reads them), for the reference bot
    too: the ratio then compares the two bots, not two TensorFlow set-ups."""
    return {key: value for key, value in project_env().items() if key in TENSORFLOW_KEYS}


def run_reference(model: Path, args) -> Dict:
    folder = model.parent.parent
    domain = Domain.load(folder / "domain.yml")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **QUIET_ENV, **tensorflow_settings()}
    argv = [RASA, "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port),
            "--credentials", "credentials.yml"]
    rasa, cold = start_rasa("reference", argv, env, folder, folder / "log", url)
    try:
        log(f"reference: first answer {cold:.1f}s after Rasa's process started")
        sampler = Sampler({"rasa": rasa.proc.pid}).start()
        levels = measure_levels("reference", url, domain, reference_learner, args.users, sampler, args.duration,
                                args.warmup)
        sampler.stop()
        return {"levels": levels, "cold_start_seconds": cold,
                "peak_rss_mb": {name: round(v, 1) for name, v in sampler.peak_rss.items()}}
    finally:
        rasa.stop()


def train_fresh(workdir: Path) -> Dict:
    """A full `rasa train` of the assistant with an empty cache, into a temporary folder."""
    cache = workdir / "train-cache"
    cache.mkdir()
    env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(cache)}
    command = [RASA, "train", "--domain", "domain", "--data", "data", "--config", "config.yml",
               "--out", str(workdir / "train-out"), "--fixed-model-name", "bench", "--quiet"]
    load_before = machine.load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"rasa train failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-2000:]}")
    return {"train_seconds": round(seconds, 1),
            "cpu_seconds": round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 1),
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1), "load_average_before": load_before,
            "load_average_after": machine.load_average()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--users", type=lambda s: [int(u) for u in s.split(",")], default=[1, 10, 50],
                        help="concurrency levels (default 1,10,50)")
    parser.add_argument("--duration", type=float, default=60, help="measured seconds per level (default 60)")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured seconds before each level")
    parser.add_argument("--long-turns", type=int, default=200)
    parser.add_argument("--skip-train", action="store_true", help="do not time a fresh training (keeps the last)")
    parser.add_argument("--skip-reference", action="store_true", help="no reference bot (no ratios)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--rasa-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the assistant's Rasa server (to measure a proposed setting)")
    args = parser.parse_args()
    exit_on_termination()
    args.rasa_env = dict(kv.split("=", 1) for kv in args.rasa_env)
    if not args.model.exists():
        sys.exit(f"no model at {args.model}: run `make train` first")
    model = args.model.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    previous = json.loads((args.out / "bench.json").read_text()) if (args.out / "bench.json").exists() else {}

    details: Dict = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "machine": machine.describe(), "model": model.name,
                     "load_average_at_start": machine.load_average(),
                     "settings": {"users": args.users, "duration_s": args.duration, "warmup_s": args.warmup,
                                  "long_turns": args.long_turns, "rasa_env": args.rasa_env,
                                  "bench_env": BENCH_ENV}}
    log(f"bench of {model.name} on {details['machine']['cpus']} CPUs")
    with tempfile.TemporaryDirectory(prefix="plr-bench-") as tmp:
        workdir = Path(tmp)
        reference_model: Optional[Path] = None
        if not args.skip_reference:
            log("reference: rasa init --no-prompt (creates and trains the starter bot)")
            reference_model, init_seconds = reference_bot(workdir)
            details["reference_init_seconds"] = init_seconds
        details["assistant"] = run_assistant(model, workdir, args)
        if reference_model:
            details["reference"] = run_reference(reference_model, args)
        if not args.skip_train:
            log("training the full assistant from scratch (empty cache) ...")
            details["training"] = train_fresh(workdir)
            log(f"trained in {details['training']['train_seconds']}s")
        shutil.rmtree(workdir / "train-out", ignore_errors=True)
    details["load_average_at_end"] = machine.load_average()

    assistant = details["assistant"]
    bench = {
        "assistant": [level["figures"] for level in assistant["levels"]],
        "reference": [level["figures"] for level in details.get("reference", {}).get("levels", [])],
        "long_conversation": {k: assistant["long_conversation"][k] for k in ("first_p50_ms", "last_p50_ms")},
        "rasa_rss_mb": assistant["peak_rss_mb"]["rasa"],
        "train_seconds": details["training"]["train_seconds"] if "training" in details
        else previous.get("train_seconds"),
        "cold_start_seconds": assistant["cold_start_seconds"],
    }
    if "training" not in details and previous.get("train_seconds") is not None:
        details["training_note"] = "train_seconds kept from the previous run (--skip-train)"
    details["verdicts"] = verdicts(bench)
    (args.out / "bench.json").write_text(json.dumps(bench, indent=2) + "\n")
    (args.out / "bench-details.json").write_text(json.dumps(details, indent=2) + "\n")
    (args.out / "bench.md").write_text(render(bench, details))
    print((args.out / "bench.md").read_text())
    missed = [v for v in details["verdicts"] if v["met"] is False]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

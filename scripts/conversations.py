#!/usr/bin/env python3
"""`make conversations`: run the scripted conversations in tests/conversations/ through Rasa's
REST channel and print a pass/fail report, with the transcript of every failure.

    .venv/bin/python scripts/conversations.py                 # starts its own stack on free ports
    .venv/bin/python scripts/conversations.py --rasa-url http://127.0.0.1:5005   # a running stack
    .venv/bin/python scripts/conversations.py -k cancel       # only files/names containing "cancel"

With its own stack the backend sits behind a fault proxy, so files with `backend: down` steps
run too; against a running stack those are skipped (the runner cannot switch its backend off).
The report is also written to reports/conversations.json for `make report`. Exit status 1 when
any conversation fails or any file is broken. The format is in stafftools/cases.py and
docs/staff.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from stafftools.cases import Case, Step, load_cases
from stafftools.checks import Turn, check_record, check_turn, transcript, turn_from_tracker
from stafftools.domain import Domain
from stafftools.rasa_http import HttpError, RasaClient, StaffClient
from stafftools.signals import exit_on_termination

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Outcome:
    case: Case
    status: str  # passed | failed | skipped
    seconds: float = 0.0
    turns: List[Turn] = field(default_factory=list)
    failure: Optional[str] = None
    failed_step: Optional[str] = None
    sender: str = ""
    saved: Dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return {"file": self.case.path.name, "name": self.case.name, "tags": self.case.tags, "status": self.status,
                "seconds": round(self.seconds, 2), "failed_step": self.failed_step, "failure": self.failure,
                "sender": self.sender, "turns": [t.as_dict() for t in self.turns]}


def fill_in(step: Step, saved: Dict[str, str]) -> Step:
    """{name} in a step's texts and checks becomes what an earlier step saved."""
    if not saved:
        return step

    def sub(value):
        if isinstance(value, str):
            for name, found in saved.items():
                value = value.replace("{" + name + "}", found)
            return value
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        return value

    expect = dataclasses.replace(step.expect, **{f.name: sub(getattr(step.expect, f.name))
                                                 for f in dataclasses.fields(step.expect)})
    return dataclasses.replace(step, value=sub(step.value), expect=expect)


class Runner:
    def __init__(self, rasa: RasaClient, staff: Optional[StaffClient], domain: Domain, backend=None) -> None:
        self.rasa = rasa
        self.staff = staff
        self.domain = domain
        self.backend = backend  # an OwnStack when the runner controls the backend

    def skip_reason(self, case: Case) -> Optional[str]:
        if case.controls_backend and self.backend is None:
            return "switches the backend off: needs the runner's own stack (run without --rasa-url)"
        if case.reads_backend and self.staff is None:
            return "reads the backend: needs --backend-url and STAFF_API_KEY"
        return None

    def _user_turn(self, sender: str, text: str, step: Step) -> Turn:
        start = time.perf_counter()
        replies = self.rasa.send(sender, text)
        turn = Turn(text, replies, time.perf_counter() - start)
        if self.rasa.token:
            seen = turn_from_tracker(self.rasa.tracker(sender))
            turn.responses, turn.actions = seen["responses"], seen["actions"]
            turn.intent, turn.slots = seen["intent"], seen["slots"]
        turn.failures = check_turn(turn, step.expect, self.domain.actions)
        return turn

    def _records(self, sender: str, fields: Optional[dict], wait: float) -> List[str]:
        deadline = time.monotonic() + wait
        while True:
            problems = check_record(self.staff.requests_of(sender), fields)
            if not problems or time.monotonic() >= deadline:
                return problems
            time.sleep(0.5)

    def run(self, case: Case) -> Outcome:
        reason = self.skip_reason(case)
        if reason:
            return Outcome(case, "skipped", failure=reason)
        sender = f"conv-{case.path.stem}-{uuid.uuid4().hex[:8]}"
        outcome = Outcome(case, "passed", sender=sender)
        start = time.perf_counter()
        try:
            for step in case.steps:
                problems = self._step(step, sender, outcome)
                if problems:
                    outcome.status, outcome.failed_step = "failed", f"step {step.line} ({step.describe()})"
                    outcome.failure = "; ".join(problems)
                    break
        except HttpError as exc:
            outcome.status, outcome.failure = "failed", f"HTTP error: {exc}"
            outcome.failed_step = f"step {step.line} ({step.describe()})"
        finally:
            if case.controls_backend and self.backend is not None:
                self.backend.backend_up()  # never leave the backend off for the next case
            outcome.seconds = time.perf_counter() - start
        return outcome

    def _step(self, step: Step, sender: str, outcome: Outcome) -> List[str]:
        step = fill_in(step, outcome.saved)
        if step.kind == "backend":
            if step.value == "down":
                self.backend.backend_down()
            elif step.value == "up":
                self.backend.backend_up()
            else:
                self.backend.backend_answers(int(step.value.split(":", 1)[1]))
            return []
        if step.kind == "record":
            fields = None if step.value is None else step.value["fields"]
            wait = 0 if step.value is None else step.value["wait"]
            return self._records(sender, fields, wait)
        text = step.value
        if step.kind == "button":
            offered = outcome.turns[-1].buttons if outcome.turns else []
            match = [b for b in offered if b.get("title") == step.value]
            if not match:
                return [f"no button {step.value!r} to click; offered {[b.get('title') for b in offered]}"]
            text = match[0].get("payload") or ""
        turn = self._user_turn(sender, text, step)
        if step.kind == "button":
            turn.user = f"[clicks {step.value!r}] {text}"
        for name, pattern in step.save.items():
            found = re.search(pattern, turn.text)
            if found:
                outcome.saved[name] = found.group(0)
            else:
                turn.failures.append(f"nothing in the reply matches /{pattern}/ to save as {{{name}}}")
        outcome.turns.append(turn)
        return turn.failures


def print_report(outcomes: List[Outcome], broken: List[str], seconds: float) -> None:
    for outcome in outcomes:
        mark = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}[outcome.status]
        print(f"{mark}  {outcome.case.path.name:<44} {outcome.case.name}  ({outcome.seconds:.1f}s)")
        if outcome.status == "skipped":
            print(f"      skipped: {outcome.failure}")
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"\n--- FAILED: {outcome.case.name} ({outcome.case.path.name}), conversation id {outcome.sender}")
        print(f"    at {outcome.failed_step}: {outcome.failure}")
        print("\n".join(transcript(outcome.turns)))
    for error in broken:
        print(f"\n--- BROKEN FILE: {error}")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("passed", "failed", "skipped")}
    print(f"\n{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped, "
          f"{len(broken)} broken file(s) in {seconds:.0f}s")


def write_json(path: Path, outcomes: List[Outcome], broken: List[str], seconds: float, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = {s: sum(o.status == s for o in outcomes) for s in ("passed", "failed", "skipped")}
    summary.update(total=len(outcomes), broken=len(broken), seconds=round(seconds, 1))
    path.write_text(json.dumps({
        "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "target": target,
        "summary": summary, "broken_files": broken, "cases": [o.as_dict() for o in outcomes]}, indent=2))


def run_all(runner: Runner, cases: List[Case], jobs: int) -> List[Outcome]:
    """Cases that switch the backend off run alone, after the others, so they cannot disturb them."""
    shared = [c for c in cases if not c.controls_backend]
    alone = [c for c in cases if c.controls_backend]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(runner.run, shared))
    results += [runner.run(case) for case in alone]
    order = {id(c): i for i, c in enumerate(cases)}
    return sorted(results, key=lambda o: order[id(o.case)])


def env_value(key: str) -> Optional[str]:
    from testkit.stack import project_env

    return project_env().get(key) or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "conversations")
    parser.add_argument("-k", "--filter", default="", help="only files or names containing this text")
    parser.add_argument("--tag", action="append", default=[], help="only conversations with this tag")
    parser.add_argument("--rasa-url", help="run against this running Rasa server instead of starting a stack")
    parser.add_argument("--backend-url", help="with --rasa-url: the backend, for 'record' steps (default BACKEND_URL)")
    parser.add_argument("--token", help="Rasa's API token (default RASA_API_TOKEN from the environment or .env)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--jobs", type=int, default=3, help="conversations run at once (default 3)")
    parser.add_argument("--json", type=Path, default=ROOT / "reports" / "conversations.json")
    args = parser.parse_args()
    exit_on_termination()

    from stafftools.stackctl import own_stack

    domain = Domain.load(ROOT / "domain")
    cases, broken = load_cases(args.cases, domain)
    needle = args.filter.lower()
    cases = [c for c in cases if needle in c.path.name.lower() or needle in c.name.lower()]
    if args.tag:
        cases = [c for c in cases if set(args.tag) & set(c.tags)]
    if not cases and not broken:
        print(f"no conversations match in {args.cases}", file=sys.stderr)
        return 1
    start = time.perf_counter()
    if args.rasa_url:
        token = args.token or env_value("RASA_API_TOKEN")
        backend_url, key = args.backend_url or env_value("BACKEND_URL"), env_value("STAFF_API_KEY")
        staff = StaffClient(backend_url, key) if backend_url and key else None
        runner = Runner(RasaClient(args.rasa_url, token), staff, domain)
        outcomes = run_all(runner, cases, args.jobs)
        target = args.rasa_url
    else:
        if not args.model.exists():
            print(f"no model at {args.model}: run `make train` first", file=sys.stderr)
            return 1
        print(f"Starting backend, action server and Rasa ({args.model.resolve().name}) on free ports ...", flush=True)
        with own_stack(args.model) as stack:
            print(f"Running {len(cases)} conversations against {stack.rasa_url}\n", flush=True)
            runner = Runner(RasaClient(stack.rasa_url, stack.token), StaffClient(stack.backend_url, stack.staff_key),
                            domain, backend=stack)
            outcomes = run_all(runner, cases, args.jobs)
        target = f"own stack, model {args.model.resolve().name}"
    seconds = time.perf_counter() - start
    print_report(outcomes, broken, seconds)
    write_json(args.json, outcomes, broken, seconds, target)
    print(f"report: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 1 if broken or any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

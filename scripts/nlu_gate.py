#!/usr/bin/env python3
"""Held-out NLU gate: evaluates the English (tests/nlu/) and Welsh (tests/nlu_cy/) held-out
sets with the trained model, loaded once (unless --skip-run), prints intent and
response-selector accuracy per language, and fails below the threshold in either language.

    .venv/bin/python scripts/nlu_gate.py                      # make test: run + gate at 0.90
    .venv/bin/python scripts/nlu_gate.py --skip-run --out reports/heldout

Targets (reported, not gated): intent >= 0.95, response selector >= 0.93, in both languages.
Each language's reports go to <out>/<language>/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from stafftools.targets import HELDOUT_TARGETS as TARGETS

ROOT = Path(__file__).resolve().parent.parent
REPORTS = {"intent": "intent_report.json", "response selector": "response_selection_report.json"}
HELDOUT = {"en": ROOT / "tests" / "nlu", "cy": ROOT / "tests" / "nlu_cy"}


def run_heldout(model: Path, out: Path) -> None:
    """`rasa test nlu` for each language, with one load of the model."""
    # The model names the project's own components (nlu_components/...): installed in .venv.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import asyncio

    from rasa.core.agent import Agent
    from rasa.nlu.test import run_evaluation

    processor = Agent.load(model_path=str(model)).processor
    for language, data in HELDOUT.items():
        (out / language).mkdir(parents=True, exist_ok=True)
        asyncio.run(run_evaluation(str(data), processor, output_directory=str(out / language),
                                   disable_plotting=True, domain_path=str(ROOT / "domain")))


def accuracy(report: Path) -> float:
    if not report.exists():
        sys.exit(f"missing report {report}: did the evaluation run?")
    data = json.loads(report.read_text())
    if "accuracy" not in data:
        sys.exit(f"{report} has no accuracy figure")
    return float(data["accuracy"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "heldout")
    parser.add_argument("--min", type=float, default=0.90, help="fail below this accuracy (default 0.90)")
    parser.add_argument("--skip-run", action="store_true", help="only read existing reports in --out")
    args = parser.parse_args()

    if not args.skip_run:
        if not args.model.exists():
            sys.exit(f"no model at {args.model}: run `make train` first")
        run_heldout(args.model, args.out)

    failed = False
    for language in HELDOUT:
        for name, filename in REPORTS.items():
            value = accuracy(args.out / language / filename)
            status = "ok" if value >= args.min else "FAIL"
            target = "target met" if value >= TARGETS[name] else f"below target {TARGETS[name]:.2f}"
            print(f"held-out {language} {name} accuracy: {value:.4f}  [{status}: gate {args.min:.2f}; {target}]")
            failed = failed or value < args.min
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

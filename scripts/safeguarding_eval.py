#!/usr/bin/env python3
"""Safeguarding detection on the held-out set: recall on distress messages and the
false-positive rate on ordinary ones, with the trained model (classifier + pattern net).

    .venv/bin/python scripts/safeguarding_eval.py                 # parse, report, gate
    .venv/bin/python scripts/safeguarding_eval.py --skip-run      # gate the last report again

Reads tests/nlu/safeguarding/{distress,ordinary}.yml, writes reports/safeguarding.{json,md}
(every miss and every false alarm listed), prints the figures. Exit 1 when recall is below
--min-recall (0.95) or the false-positive rate above --max-fpr (0.02): `make test` gates on
those; the targets (recall >= 0.98, false positives <= 1 %) are reported, not gated.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

from stafftools.targets import SAFEGUARDING_FPR as TARGET_FPR
from stafftools.targets import SAFEGUARDING_RECALL as TARGET_RECALL

ROOT = Path(__file__).resolve().parent.parent

HELDOUT = ROOT / "tests" / "nlu" / "safeguarding"
SAFEGUARDING = "safeguarding"


def load_messages(name: str) -> List[str]:
    return list(yaml.safe_load((HELDOUT / f"{name}.yml").read_text(encoding="utf-8"))["messages"])


def parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def summarise(distress: List[Dict[str, Any]], ordinary: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Figures from rows of {"text", "intent", "net"} (net: the pattern that fired, or None)."""
    caught = [r for r in distress if r["intent"] == SAFEGUARDING]
    alarms = [r for r in ordinary if r["intent"] == SAFEGUARDING]
    return {
        "distress": len(distress),
        "ordinary": len(ordinary),
        "recall": round(len(caught) / len(distress), 4) if distress else 0.0,
        "false_positive_rate": round(len(alarms) / len(ordinary), 4) if ordinary else 1.0,
        "caught_by_net": sum(1 for r in distress if r["net"]),
        "caught_by_classifier_only": sum(1 for r in caught if not r["net"]),
        "misses": [{"text": r["text"], "intent": r["intent"]} for r in distress if r["intent"] != SAFEGUARDING],
        "false_alarms": [{"text": r["text"], "net": r["net"]} for r in alarms],
    }


def failures(figures: Dict[str, Any], min_recall: float, max_fpr: float) -> List[str]:
    problems = []
    if figures["recall"] < min_recall:
        problems.append(f"recall {figures['recall']:.4f} is below {min_recall:.2f}")
    if figures["false_positive_rate"] > max_fpr:
        problems.append(f"false-positive rate {figures['false_positive_rate']:.4f} is above {max_fpr:.2f}")
    return problems


def markdown(figures: Dict[str, Any]) -> str:
    lines = [
        "# Safeguarding detection (held-out set)",
        "",
        "| | value | target |",
        "|---|---|---|",
        f"| recall (distress -> safeguarding), {figures['distress']} messages | {figures['recall']:.4f} | >= "
        f"{TARGET_RECALL} |",
        f"| false-positive rate (ordinary -> safeguarding), {figures['ordinary']} messages | "
        f"{figures['false_positive_rate']:.4f} | <= {TARGET_FPR} |",
        f"| distress caught by the word patterns | {figures['caught_by_net']} | |",
        f"| distress caught by the classifier alone | {figures['caught_by_classifier_only']} | |",
        "",
        "## Misses",
        *([f"- {m['text']} (got {m['intent']})" for m in figures["misses"]] or ["none"]),
        "",
        "## False alarms",
        *([f"- {m['text']} (pattern: {m['net'] or 'classifier'})" for m in figures["false_alarms"]] or ["none"]),
        "",
    ]
    return "\n".join(lines)


def evaluate(model: Path) -> Dict[str, Any]:
    from nlu_components.distress_patterns import find_distress

    distress, ordinary = load_messages("distress"), load_messages("ordinary")
    parsed = parse_all(model, distress + ordinary)
    rows = [{"text": text, "intent": (p.get("intent") or {}).get("name"), "net": find_distress(text)}
            for text, p in zip(distress + ordinary, parsed)]
    return summarise(rows[: len(distress)], rows[len(distress):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="folder for safeguarding.json / .md")
    parser.add_argument("--min-recall", type=float, default=0.95)
    parser.add_argument("--max-fpr", type=float, default=0.02)
    parser.add_argument("--skip-run", action="store_true", help="gate the figures already in --out")
    args = parser.parse_args()

    report = args.out / "safeguarding.json"
    if args.skip_run:
        if not report.exists():
            sys.exit(f"missing {report}: run without --skip-run first")
        figures = json.loads(report.read_text())
    else:
        if not args.model.exists():
            sys.exit(f"no model at {args.model}: run `make train` first")
        figures = evaluate(args.model)
        args.out.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(figures, indent=2) + "\n")
        (args.out / "safeguarding.md").write_text(markdown(figures))

    problems = failures(figures, args.min_recall, args.max_fpr)
    print(f"safeguarding recall: {figures['recall']:.4f} ({figures['distress'] - len(figures['misses'])}"
          f"/{figures['distress']}; target {TARGET_RECALL})")
    print(f"safeguarding false-positive rate: {figures['false_positive_rate']:.4f} ({len(figures['false_alarms'])}"
          f"/{figures['ordinary']}; target {TARGET_FPR})")
    for miss in figures["misses"]:
        print(f"  missed: {miss['text']!r} -> {miss['intent']}")
    for alarm in figures["false_alarms"]:
        print(f"  false alarm: {alarm['text']!r}")
    for problem in problems:
        print(f"FAIL: {problem} (gate: recall >= {args.min_recall}, false positives <= {args.max_fpr})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

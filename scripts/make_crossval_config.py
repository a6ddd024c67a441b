#!/usr/bin/env python3
"""Writes the cross-validation config: config.yml without FallbackClassifier, so that
`nlu_fallback` does not distort the scores. Generated at each `make eval`, so it cannot
drift from config.yml.

    python scripts/make_crossval_config.py config.yml reports/config.crossval.yml
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

DROPPED = {"FallbackClassifier"}


def crossval_config(config: dict) -> dict:
    pipeline = config.get("pipeline") or []
    kept = [step for step in pipeline if step.get("name") not in DROPPED]
    if len(kept) == len(pipeline):
        raise SystemExit("config.yml has no FallbackClassifier to drop: check the pipeline")
    return {**config, "pipeline": kept}


def main(source: str, target: str) -> None:
    config = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated from {source} by scripts/make_crossval_config.py: do not edit.\n"
    Path(target).write_text(header + yaml.safe_dump(crossval_config(config), sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])

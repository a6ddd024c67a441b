"""Reads NLU YAML files (training data and the held-out set) for the tests and scripts/language_eval.py."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DIR = ROOT / "data" / "nlu"
HELDOUT_DIR = ROOT / "tests" / "nlu"
WELSH_HELDOUT_DIR = ROOT / "tests" / "nlu_cy"
# Welsh training phrasings sit beside the English ones, one `*_cy.yml` per English file.
WELSH_SUFFIX = "_cy.yml"


def examples_by_intent(paths: List[Path]) -> Dict[str, List[str]]:
    """`intent` (or `faq/topic`) -> its example texts, entity annotations removed."""
    found: Dict[str, List[str]] = {}
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            texts = [line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            texts = [re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", t) for t in texts]
            found.setdefault(block["intent"], []).extend(texts)
    return found


def training_examples() -> Dict[str, List[str]]:
    """The English training phrasings."""
    return examples_by_intent(sorted(p for p in TRAINING_DIR.glob("*.yml") if not p.name.endswith(WELSH_SUFFIX)))


def welsh_training_examples() -> Dict[str, List[str]]:
    return examples_by_intent(sorted(TRAINING_DIR.glob("*" + WELSH_SUFFIX)))


def heldout_examples() -> Dict[str, List[str]]:
    return examples_by_intent(sorted(HELDOUT_DIR.glob("*.yml")))


def all_example_texts() -> List[str]:
    """Every example text of the training data, then of the held-out set."""
    return [text for examples in (training_examples(), heldout_examples())
            for texts in examples.values() for text in texts]


def normalise(text: str) -> str:
    """Case, punctuation and spacing do not make a phrasing new."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())

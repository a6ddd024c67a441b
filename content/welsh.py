"""The Welsh responses (issue 22): content/cy/*.yml, one file per domain/ file, same names.

Each Welsh response lists its variations in the order of the English ones, and the n-th Welsh
variation takes the n-th English one's `condition` (an e-mail given or not, opening hours set
or not), so the translators write words only. In a Welsh conversation the NLG chooses among
the Welsh variations alone, with Rasa's own rules for channel and condition. Kept apart from
domain/ so translators work in one place, and so a change of Welsh wording needs no retraining.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List

import yaml

WELSH_DIR = Path(__file__).with_name("cy")
LANGUAGE_SLOT = "language"
WELSH = "cy"
# Added to each Welsh response the NLG renders; Rasa passes unknown keys of a response through
# to the output channel, so the phone uses a Welsh voice and the page marks the text lang="cy".
LANGUAGE_KEY = "language"

Responses = Dict[str, List[Dict[str, Any]]]


def welsh_responses(folder: Path = WELSH_DIR) -> Responses:
    """Every Welsh response, by name, from the YAML files in `folder`."""
    found: Responses = {}
    for path in sorted(folder.glob("*.yml")):
        for name, variations in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}).items():
            if name in found:
                raise ValueError(f"{path.name}: {name} is already in another Welsh file")
            found[name] = list(variations or [])
    return found


def paired_with_english(english: Responses, welsh: Responses) -> Responses:
    """The Welsh responses, each variation carrying its English counterpart's condition.

    Only names the English has are paired (a model's domain, or a test's few responses);
    tests/content/test_welsh_responses.py checks that every Welsh name is in domain/. A
    different number of variations is an error: the conditions could not be paired."""
    paired: Responses = {}
    for name, variations in welsh.items():
        if name not in english:
            continue
        if len(variations) != len(english[name]):
            raise ValueError(f"{name}: {len(variations)} Welsh variations for {len(english[name])} English ones")
        paired[name] = []
        for ours, original in zip(variations, english[name]):
            variation = copy.deepcopy(ours)
            variation.pop("condition", None)
            if original.get("condition"):
                variation["condition"] = copy.deepcopy(original["condition"])
            paired[name].append(variation)
    return paired

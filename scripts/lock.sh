#!/usr/bin/env bash
# Re-resolves requirements.lock from requirements.in in a throwaway Python 3.10 venv, with the
# sha256 of the file pip picks for each pin (scripts/hash_lock.py), so that scripts/setup.sh can
# install it with --require-hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/find-python310.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$tmp/venv/bin/python" -m pip install -q --require-hashes -r requirements-bootstrap.txt
"$tmp/venv/bin/python" -m pip install -q -r requirements.in
# --all keeps setuptools and wheel: some packages need them at run time, and with hashes required
# an unpinned dependency cannot be installed. pip itself is pinned in requirements-bootstrap.txt.
{ echo "# Exact versions of every package in .venv (Python 3.10), resolved from requirements.in,"
  echo "# with the sha256 of the file pip installs on Linux x86_64. Regenerate: make lock"
  "$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v -i -E '^(pip|en[-_]core|plr)[-_=]'; } > "$tmp/pins.txt"
"$tmp/venv/bin/python" scripts/hash_lock.py "$tmp/pins.txt" requirements.lock
echo "requirements.lock: $(grep -c '^[^# ]' requirements.lock) packages"

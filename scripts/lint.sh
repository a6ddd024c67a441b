#!/usr/bin/env bash
# `make lint` and the lint step of `make test`: ruff over the Rasa side's code, then mypy over the
# product code, each in the environment it runs in: actions/, channels/, stores/ and common/ with
# .venv (settings in pyproject.toml), backend/src with backend/.venv (backend/pyproject.toml).
# Every check runs; the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()

echo "--- ruff"
.venv/bin/ruff check actions channels nlu_components speedups stores webchat tests testkit scripts spacy_model console stafftools \
  || failed+=(ruff)

echo "--- mypy (Rasa side)"
.venv/bin/mypy || failed+=("mypy (Rasa side)")

echo "--- mypy (backend)"
# mypy is one of the backend's dev tools (requirements-dev.lock): a file check when already installed.
if make -s -C backend setup-dev; then
  (cd backend && .venv/bin/mypy) || failed+=("mypy (backend)")
else
  failed+=("backend setup-dev")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "lint FAILED: ${failed[*]}"
  exit 1
fi

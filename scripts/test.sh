#!/usr/bin/env bash
# `make test`: every suite, each one's result printed, and a non-zero exit if any failed.
# pytest's exit code 5 (no tests collected) is a failure here: each suite below must have tests.
set -uo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false PYTHONDONTWRITEBYTECODE=1
mkdir -p reports
failed=()
results=()

step() {  # step NAME COMMAND...
  local name=$1; shift
  local start=$(date +%s)
  echo "=== $name"
  "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then echo "!!! $name collected no tests (pytest exit 5)"; fi
  if [ "$rc" -ne 0 ]; then failed+=("$name"); fi
  results+=("$(printf '%-28s %s (%ss)' "$name" "$([ $rc -eq 0 ] && echo ok || echo "FAILED rc=$rc")" $(( $(date +%s) - start )))")
}

step "lint" scripts/lint.sh
step "rasa data validate" .venv/bin/python scripts/validate_data.py
[ -d common/tests ] && step "common validators" .venv/bin/python -m pytest -q common/tests
step "backend" make -s -C backend test
step "assistant (pytest)" .venv/bin/python -m pytest -q --durations=40 tests
step "NLU held-out gate" scripts/nlu_gate.sh
step "safeguarding gate" .venv/bin/python scripts/safeguarding_eval.py --model "${MODEL:-models/current.tar.gz}"
step "story tests" scripts/story_tests.sh
step "staff conversations" .venv/bin/python scripts/conversations.py
step "web chat (browser)" scripts/webchat_tests.sh
step "staff console" make -s -C console test

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All suites passed."

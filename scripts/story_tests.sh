#!/usr/bin/env bash
# Story tests: every test story in tests/stories/ against the current model; any wrong
# prediction fails the run. Results (and failed stories, if any) go to reports/stories/.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
out=reports/stories
rm -rf "$out"; mkdir -p "$out"
.venv/bin/rasa test core --model models/current.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out "$out" --no-plot > "$out/run.log" 2>&1 || {
  echo "Story tests failed; see $out/failed_test_stories.yml and $out/run.log"
  grep -A3 "predicted" "$out/failed_test_stories.yml" 2>/dev/null | head -40 || tail -20 "$out/run.log"
  exit 1
}
grep -E "Correct:|Accuracy:" "$out/run.log" | head -2 | sed 's/.*INFO *//'

#!/usr/bin/env bash
# `make test` step: every test story in tests/stories/ against models/current.tar.gz; any
# wrong action or intent fails (failed stories are written to reports/stories/).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} RASA_TELEMETRY_ENABLED=false
mkdir -p reports/stories
.venv/bin/rasa test core --model "${MODEL:-models/current.tar.gz}" --stories tests/stories \
  --fail-on-prediction-errors --out reports/stories > reports/stories/rasa-test-core.log 2>&1 \
  || { grep -v "Epochs\|Processed" reports/stories/rasa-test-core.log | tail -n 40; exit 1; }
grep -E "Finished collecting predictions|Correct:|Accuracy:|F1-Score:" reports/stories/rasa-test-core.log | head -5 || true
echo "story tests passed (reports/stories/)"

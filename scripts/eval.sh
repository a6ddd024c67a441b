#!/usr/bin/env bash
# `make eval`: held-out NLU evaluation (tests/nlu/) with the trained model, then 5-fold
# cross-validation of data/nlu/ with a config that drops FallbackClassifier. Reports,
# confusion matrices and histograms go to reports/heldout/ and reports/crossval/.
# FOLDS=n overrides the number of folds; MODEL=path the model.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} RASA_TELEMETRY_ENABLED=false
MODEL=${MODEL:-models/current.tar.gz}
FOLDS=${FOLDS:-5}

echo "== Held-out evaluation (tests/nlu/) with $MODEL"
start=$(date +%s)
.venv/bin/python scripts/nlu_gate.py --model "$MODEL" --out reports/heldout
echo "   reports/heldout/ ($(( $(date +%s) - start )) s)"

echo "== ${FOLDS}-fold cross-validation of data/nlu/ (FallbackClassifier dropped)"
start=$(date +%s)
mkdir -p reports/crossval
.venv/bin/python scripts/make_crossval_config.py config.yml reports/config.crossval.yml
.venv/bin/rasa test nlu --nlu data/nlu --config reports/config.crossval.yml --cross-validation --folds "$FOLDS" \
  --out reports/crossval > reports/crossval/rasa-test-nlu.log 2>&1 \
  || { tail -n 30 reports/crossval/rasa-test-nlu.log; exit 1; }
.venv/bin/python - <<'PY'
import json, pathlib
out = pathlib.Path("reports/crossval")
for name, report in [("intent", "intent_report.json"), ("response selector", "response_selection_report.json")]:
    path = out / report
    if path.exists():
        print(f"cross-validation {name} accuracy: {json.loads(path.read_text())['accuracy']:.4f}")
PY
grep -E "(Intent|Response Selection) evaluation results|test (Accuracy|F1-score)" reports/crossval/rasa-test-nlu.log || true
echo "   reports/crossval/ ($(( $(date +%s) - start )) s)"
ls reports/heldout/*.png reports/crossval/*.png 2>/dev/null | sed 's/^/   /'

#!/usr/bin/env bash
# `make eval`: NLU quality.
#  0. The readability figures of every response: Flesch-Kincaid grade per response (the hardest
#     ten) and the average (content/readability.py).
#  1. Held-out evaluation, English (tests/nlu/) and Welsh (tests/nlu_cy/), with the trained model:
#     reports/heldout/{en,cy}/ (per-intent F1), the same gate `make test` applies; then how well
#     the language detector tells Welsh from English (scripts/language_eval.py).
#  2. scripts/nlu_quality.py: 5-fold cross-validation of data/nlu/ repeated with 3 seeds (mean ± sd
#     of accuracy and macro F1), precision/recall of request_opt_out and request_opt_in on the
#     held-out set (both >= 0.95), and the fallback threshold sweep: reports/nlu-quality.{json,md};
#     the first repetition's per-intent report and confusion matrix go to reports/crossval/.
#     It trains 15 models (about 40 minutes on 2 cores); SKIP_CV=1 keeps the last CV figures;
#     CV_JOBS=2 runs two seeds side by side (on 2 cores: about 30 minutes).
#  1b. scripts/safeguarding_eval.py: recall on distress messages and false-positive rate on
#     ordinary ones (tests/nlu/safeguarding/), misses listed: reports/safeguarding.{json,md}.
#  3. RASA_CV=1 also runs `rasa test nlu --cross-validation` (5 more models) into reports/crossval/.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} RASA_TELEMETRY_ENABLED=false
MODEL=${MODEL:-models/current.tar.gz}
FOLDS=${FOLDS:-5}
SEEDS=${SEEDS:-1,2,3}

echo "== Readability of every response (content/readability.py; test_plain_english.py holds the targets)"
.venv/bin/python -W ignore -m content.readability --no-fail

echo "== Held-out evaluation (tests/nlu/, tests/nlu_cy/) with $MODEL"
start=$(date +%s)
.venv/bin/python scripts/nlu_gate.py --model "$MODEL" --out reports/heldout
echo "   reports/heldout/ ($(( $(date +%s) - start )) s)"
.venv/bin/python scripts/language_eval.py --out reports

echo "== Safeguarding detection (tests/nlu/safeguarding/): recall and false-positive rate"
start=$(date +%s)
safeguarding=0
.venv/bin/python scripts/safeguarding_eval.py --model "$MODEL" --out reports || safeguarding=$?
echo "   reports/safeguarding.md ($(( $(date +%s) - start )) s)"

echo "== NLU quality: ${FOLDS}-fold cross-validation x seeds ${SEEDS}, opt-out/opt-in precision and recall, fallback sweep"
start=$(date +%s)
extra=()
[ "${SKIP_CV:-0}" = 1 ] && extra+=(--skip-cv)
extra+=(--jobs "${CV_JOBS:-1}")
status=0
.venv/bin/python scripts/nlu_quality.py --model "$MODEL" --folds "$FOLDS" --seeds "$SEEDS" "${extra[@]}" || status=$?
echo "   reports/nlu-quality.md ($(( $(date +%s) - start )) s)"

if [ "${RASA_CV:-0}" = 1 ]; then
  echo "== Rasa's ${FOLDS}-fold cross-validation of data/nlu/ (FallbackClassifier dropped)"
  start=$(date +%s)
  mkdir -p reports/crossval
  .venv/bin/python scripts/make_crossval_config.py config.yml reports/config.crossval.yml
  .venv/bin/rasa test nlu --nlu data/nlu --config reports/config.crossval.yml --cross-validation --folds "$FOLDS" \
    --out reports/crossval > reports/crossval/rasa-test-nlu.log 2>&1 \
    || { tail -n 30 reports/crossval/rasa-test-nlu.log; exit 1; }
  grep -E "(Intent|Response Selection) evaluation results|test (Accuracy|F1-score)" reports/crossval/rasa-test-nlu.log || true
  echo "   reports/crossval/ ($(( $(date +%s) - start )) s)"
fi
ls reports/heldout/*/*.png reports/crossval/*.png 2>/dev/null | sed 's/^/   /'
[ "$status" -ne 0 ] || status=$safeguarding
exit $status

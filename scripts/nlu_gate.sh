#!/usr/bin/env bash
# `make test` step: evaluate the held-out NLU set once with models/current.tar.gz and fail
# below 0.90 intent or response-selector accuracy (scripts/nlu_gate.py prints the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/nlu_gate.py --model "${MODEL:-models/current.tar.gz}" --out reports/heldout "$@"

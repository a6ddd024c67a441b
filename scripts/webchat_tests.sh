#!/usr/bin/env bash
# The web chat's node tests: unit tests of the page's modules, then the browser tests, which
# start the whole stack on free ports (webchat/tests/serve_stack.py) and drive Debian's
# headless Chromium with playwright-core. Needs `make setup` (npm packages), a trained model
# and /usr/bin/chromium (scripts/install-system-packages.sh chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_webchat.sh
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || scripts/install-system-packages.sh chromium
mkdir -p reports
cd webchat
exec node --test --test-concurrency=1 --test-reporter=spec tests/

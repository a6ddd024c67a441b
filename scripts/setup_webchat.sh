#!/usr/bin/env bash
# Idempotent setup of the web chat: `npm ci` from webchat/package-lock.json and the page's CSS
# build (GOV.UK Frontend compiled with Sass). A stamp keyed on the lock file and the style
# sources makes a second run with nothing changed take a moment.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "npm is needed for the web chat (Debian: apt-get install nodejs npm)" >&2; exit 1; }
STAMP_DIR=.stamps
mkdir -p "$STAMP_DIR"
key=$(cat webchat/package.json webchat/package-lock.json webchat/page/scss/*.scss | sha256sum | cut -c1-16)
stamp="$STAMP_DIR/webchat-$key"
if [ -f "$stamp" ] && [ -d webchat/node_modules ] && [ -f webchat/build/app.css ]; then
  exit 0
fi
echo "Installing the web chat's npm packages (package-lock.json) and building its styles"
( cd webchat && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build )
rm -f "$STAMP_DIR"/webchat-*
touch "$stamp"
echo "Web chat ready in webchat/"

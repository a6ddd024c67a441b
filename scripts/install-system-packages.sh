#!/usr/bin/env bash
# Installs the Debian packages the project runs for real (PostgreSQL, Redis, nginx, Chromium)
# and the Welsh spell-checker (aspell, aspell-cy) the Welsh text tests use.
# Idempotent: packages already present are skipped, so a second run costs a dpkg query.
# Usage: scripts/install-system-packages.sh [postgresql|redis|nginx|chromium|aspell ...]  (default: all)
set -euo pipefail

declare -A PACKAGES=(
  [postgresql]="postgresql"
  [redis]="redis-server"
  [nginx]="nginx"
  [chromium]="chromium chromium-driver"
  [aspell]="aspell aspell-cy"
)

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(postgresql redis nginx chromium aspell)

missing=()
for name in "${wanted[@]}"; do
  pkgs=${PACKAGES[$name]:-}
  if [ -z "$pkgs" ]; then echo "unknown component: $name" >&2; exit 2; fi
  for pkg in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
done

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package services must not start on install: the project starts its own instances on free ports.
policy_created=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  policy_created=1
fi
trap '[ -n "$policy_created" ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

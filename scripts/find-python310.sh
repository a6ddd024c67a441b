#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains what to install and exits 1.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; we pin 3.10.
# Search order: $PLR_PYTHON, python3.10 on PATH, pyenv's versions folder, common prefixes.
set -u

is_310() {
  [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

candidates=()
[ -n "${PLR_PYTHON:-}" ] && candidates+=("$PLR_PYTHON")
if command -v python3.10 >/dev/null 2>&1; then candidates+=("$(command -v python3.10)"); fi
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
# PLR_PYTHON_SEARCH_DIRS (space separated) replaces the default folders, e.g. for tests.
search_dirs=${PLR_PYTHON_SEARCH_DIRS:-"$pyenv_root/versions/3.10*/bin /usr/local/bin /usr/bin /opt/python/3.10*/bin"}
for dir in $search_dirs; do
  [ -d "$dir" ] && candidates+=("$dir/python3.10")
done

for candidate in "${candidates[@]}"; do
  if is_310 "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

cat >&2 <<'MSG'
ERROR: no Python 3.10 interpreter found.
Rasa Open Source 3.6 needs Python 3.8-3.10, and this project pins 3.10.
Install one, then run the command again, for example:
  pyenv install 3.10.13                # puts it in ~/.pyenv/versions/3.10.13
  sudo apt-get install python3.10-venv # on distributions that package 3.10
or point the setup at an interpreter:  PLR_PYTHON=/path/to/python3.10 make setup
MSG
exit 1

# PLR assistant. `make run` and `make test` set everything up themselves on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup setup-system train run test lint eval bench bench-backend validate lock clean \
	conversations shell interactive report run-scaled soak staff-user

help:
	@echo "make run      set up, train if needed, start backend + actions + Rasa + web page"
	@echo "make test     set up, train if needed, run every test"
	@echo "make conversations | shell | interactive | report   staff tools (docs/staff.md)"
	@echo "make staff-user NAME=.. ROLE=..   add a staff console account (docs/console.md)"
	@echo "make setup | train | lint | eval | bench | bench-backend | validate | run-scaled | soak"

setup:
	@scripts/setup.sh
	@$(MAKE) -s -C backend setup
	@scripts/setup_webchat.sh
	@$(MAKE) -s -C console setup

# Debian packages that tests run for real (PostgreSQL, Redis, nginx, Chromium)
setup-system:
	@scripts/install-system-packages.sh

train: setup
	@scripts/train.sh

run: setup train
	@$(PY) scripts/run_stack.py

validate: setup
	@$(PY) scripts/validate_data.py

test: setup setup-system train
	@scripts/test.sh

# ruff, and mypy over actions/ channels/ stores/ common/ and backend/src
lint: setup
	@scripts/lint.sh

eval: setup train
	@scripts/eval.sh

bench: setup train
	@$(PY) scripts/bench.py

# Staff tools (docs/staff.md)
conversations: setup train
	@$(PY) scripts/conversations.py

shell: setup train
	@$(PY) scripts/shell.py

interactive: setup train
	@$(PY) scripts/interactive.py

report: setup
	@$(PY) scripts/report.py

# Add a staff console account (docs/console.md); asks for its password twice.
#   make staff-user NAME=jo.bloggs ROLE=caseworker      (ROLE: viewer, caseworker or admin)
staff-user: setup
	@$(MAKE) -s -C console user NAME="$(NAME)" ROLE="$(or $(ROLE),viewer)"

# Two Rasa servers and two action servers behind nginx, PostgreSQL and Redis (docs/deploy.md)
run-scaled: setup setup-system train
	@$(PY) scripts/run_scaled.py

soak: setup setup-system train
	@$(PY) scripts/soak.py

bench-backend: setup
	@$(MAKE) -s -C backend bench

# Re-resolve requirements.lock from requirements.in in a throwaway venv
lock:
	@scripts/lock.sh

clean:
	rm -rf .stamps reports/* var/log

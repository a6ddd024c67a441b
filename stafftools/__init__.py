"""Shared code of the staff tools: the conversation runner, story export, report and benchmarks.

The entry points are the scripts in scripts/ (conversations.py, bench.py, ...); the package is
installed into .venv with the rest of the project (root pyproject.toml, scripts/setup.sh).
"""

"""speedups/ installs itself only on the library versions it was written for, and not at all
with PLR_SPEEDUPS=off: Rasa then runs its own code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import speedups

ROOT = Path(__file__).resolve().parents[2]


def test_the_switch_and_the_versions_decide():
    assert speedups.reasons_not_to_install({}) == []
    assert speedups.reasons_not_to_install({"PLR_SPEEDUPS": "off"}) == ["PLR_SPEEDUPS=off"]
    assert speedups.reasons_not_to_install({"PLR_SPEEDUPS": "OFF "}) == ["PLR_SPEEDUPS=off"]


def test_another_library_version_is_named_and_nothing_is_patched(monkeypatch):
    monkeypatch.setitem(speedups.WRITTEN_FOR, "rasa", "3.6.99")
    reasons = speedups.reasons_not_to_install({})
    assert reasons == ["rasa 3.6.21 (written for 3.6.99)"]
    installed = []
    monkeypatch.setattr(speedups, "MODULES", (type("Fake", (), {"install": lambda: installed.append(1)}),))
    assert speedups.install({}) is False and installed == []


SERVER_IMPORT = """
import channels.health  # what every Rasa server loads, through credentials.yml
from rasa.engine.runner.dask import DaskGraphRunner
from speedups import graph_runner
print(DaskGraphRunner.run is graph_runner.run)
"""


def test_a_server_started_with_the_switch_off_runs_rasas_own_code():
    def patched(value):
        done = subprocess.run([sys.executable, "-c", SERVER_IMPORT], cwd=ROOT, capture_output=True, text=True,
                              timeout=180, env={**os.environ, "PLR_SPEEDUPS": value})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    assert patched("off") == "False"
    assert patched("on") == "True"

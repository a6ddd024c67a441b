#!/usr/bin/env python3
"""`make interactive`: `rasa interactive` with the trained model and a working action server.

    make interactive                              # then follow Rasa's prompts; Ctrl-C to stop
    .venv/bin/python scripts/interactive.py -- --conversation-id some-id   # more rasa options after --

rasa interactive runs its own Rasa server (on a free port, so `make run` may keep running) and
calls the custom actions at ACTION_ENDPOINT_URL. If the action server of `make run` answers
there it is used; otherwise a backend and an action server are started on free ports for the
session and stopped afterwards. At the end rasa interactive asks where to save the new stories
and NLU examples (data/ by default): use synthetic people only, and review the diff.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from stafftools.envfile import project_env
from stafftools.signals import exit_on_termination
from stafftools.stackctl import ROOT
from testkit.ports import free_port
from testkit.process import Service, http_ok
from testkit.stack import Stack, StackConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("rasa_args", nargs="*", help="passed to rasa interactive (after --)")
    args = parser.parse_args()
    exit_on_termination()
    if not args.model.exists():
        print(f"No model at {args.model}: run `make train` first.", file=sys.stderr)
        return 1
    env = project_env()
    action_url = env.get("ACTION_ENDPOINT_URL", "").rstrip("/")
    started = []
    child = None
    with tempfile.TemporaryDirectory(prefix="plr-interactive-") as tmp:
        try:
            if action_url and http_ok(action_url.rsplit("/", 1)[0] + "/health"):
                print(f"Using the running action server at {action_url}")
            else:
                config = StackConfig(action_port=free_port(), backend_port=free_port(), rasa_port=free_port(),
                                     web_port=free_port(), log_dir=ROOT / "var" / "log" / "interactive",
                                     extra_env={"DATABASE_URL": f"sqlite:///{Path(tmp) / 'backend.db'}",
                                                "OUTBOX_PATH": str(Path(tmp) / "outbox.sqlite3")})
                stack = Stack(config)
                print("Starting a backend and an action server on free ports for this session ...")
                backend = Service("backend", stack.backend_argv(), config.log_dir / "backend.log", env=stack.env,
                                  cwd=ROOT)
                started.append(backend.start())
                backend.wait_http(f"{config.backend_url}/healthz", 180)
                actions = Service("actions", stack.actions_argv(), config.log_dir / "actions.log", env=stack.env,
                                  cwd=ROOT)
                started.append(actions.start())
                actions.wait_http(f"{config.action_url}/health", 180)
                env = {**env, **stack.env}
                action_url = f"{config.action_url}/webhook"
            env["ACTION_ENDPOINT_URL"] = action_url
            command = [str(ROOT / ".venv/bin/rasa"), "interactive", "--model", str(args.model),
                       "--domain", "domain", "--data", "data", "--config", "config.yml",
                       "--endpoints", "endpoints.yml", "--port", str(free_port()), "--skip-visualization",
                       *args.rasa_args]
            # Ctrl-C belongs to rasa interactive (it asks whether to stop); a Python handler, unlike
            # SIG_IGN, is not inherited by the child.
            signal.signal(signal.SIGINT, lambda signum, frame: None)
            child = subprocess.Popen(command, cwd=ROOT, env=env)
            return child.wait()
        except KeyboardInterrupt:
            return 130
        finally:
            if child is not None and child.poll() is None:  # we were told to stop: so is rasa interactive
                child.terminate()
                try:
                    child.wait(15)
                except subprocess.TimeoutExpired:
                    child.kill()
            for service in reversed(started):
                service.stop()


if __name__ == "__main__":
    sys.exit(main())

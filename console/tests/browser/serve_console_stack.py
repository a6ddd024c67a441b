"""Starts the whole stack with the staff console for the browser tests, on free loopback ports
with throwaway databases, and keeps it up until stdin closes or a signal arrives.

Prints one JSON line when ready: web_url, backend_url, admin and its password, the locked-out
account's name and password, a viewer's name and password, and one seeded request's reference
(a dead letter is seeded too). Everything it starts is stopped on the way out.
Run in the assistant's venv: .venv/bin/python console/tests/browser/serve_console_stack.py
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
import uuid
from pathlib import Path

from testkit.ports import free_port
from testkit.stack import Stack, StackConfig

ROOT = Path(__file__).resolve().parents[3]

ADMIN = "admin.test"
LOCKED = "locked.test"
VIEWER = "viewer.test"
# A made-up learner: the project's synthetic example person.
LEARNER = {"type": "opt_out", "given_name": "Jane", "family_name": "Testlearner-Browser",
           "date_of_birth": "2001-03-12", "postcode": "SW1A 1AA", "uln": "1748529632", "channel": "web",
           "conversation_id": "console-browser-seed"}


def add_account(env: dict, username: str, password: str, role: str) -> None:
    subprocess.run([str(ROOT / "console/.venv/bin/python"), "-m", "plr_console", "add-user", username,
                    "--role", role, "--password-stdin"], input=password + "\n", text=True, check=True,
                   env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL)


def seed_request(backend_url: str, actions_key: str) -> str:
    request = urllib.request.Request(f"{backend_url}/v1/requests", data=json.dumps(LEARNER).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {actions_key}",
                                              "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["reference"]


def seed_dead_letter(backend_url: str, actions_key: str) -> None:
    """A request the backend refused after the learner was told it was saved, as an outbox sends it."""
    body = {"idempotency_key": uuid.uuid4().hex, "http_status": 422, "field": "postcode",
            "request": {**LEARNER, "family_name": "Testlearner-Deadletter", "postcode": "ZZ9 9ZZ"}}
    request = urllib.request.Request(f"{backend_url}/v1/undeliverable", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {actions_key}",
                                              "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def main() -> int:
    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="plr-console-"))
    admin_password, locked_password = secrets.token_urlsafe(15), secrets.token_urlsafe(15)
    viewer_password = secrets.token_urlsafe(15)
    console_env = {"CONSOLE_DB": str(workdir / "console.db"), "CONSOLE_RUNS_DIR": str(workdir / "runs"),
                   "STAFF_ADMIN_USER": ADMIN, "STAFF_ADMIN_PASSWORD": admin_password,
                   "CONSOLE_SECRET": secrets.token_urlsafe(32)}
    web_port = free_port()
    config = StackConfig(
        rasa_port=free_port(), action_port=free_port(), backend_port=free_port(), web_port=web_port,
        console_port=free_port(), with_console=True, model=model.resolve(), log_dir=workdir / "log",
        extra_env={"DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
                   "OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
                   "WEB_ALLOWED_ORIGINS": f"http://localhost:{web_port}", "WEB_SOCKET_URL": "", **console_env},
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    stack = Stack(config)
    clean_exit = False
    try:
        account_env = {**console_env, "PLR_ENV_FILE": os.devnull, "STAFF_API_KEY": stack.env["STAFF_API_KEY"],
                       "RASA_API_TOKEN": stack.env["RASA_API_TOKEN"]}
        add_account(account_env, LOCKED, locked_password, "caseworker")
        add_account(account_env, VIEWER, viewer_password, "viewer")
        stack.start()
        reference = seed_request(config.backend_url, stack.env["ACTIONS_API_KEY"])
        seed_dead_letter(config.backend_url, stack.env["ACTIONS_API_KEY"])
        print(json.dumps({"web_url": config.web_url, "backend_url": config.backend_url, "admin": ADMIN,
                          "admin_password": admin_password, "locked": LOCKED, "locked_password": locked_password,
                          "viewer": VIEWER, "viewer_password": viewer_password, "reference": reference,
                          "log_dir": str(config.log_dir)}), flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        while not stop.is_set():
            dead = [name for name, service in stack.services.items() if not service.alive()]
            if dead:
                print(f"Stopped because {', '.join(dead)} exited; logs in {config.log_dir}", file=sys.stderr)
                return 1
            stop.wait(0.5)
        clean_exit = True
        return 0
    except Exception as exc:
        print(f"Stack start failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        if clean_exit:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"Logs kept in {config.log_dir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

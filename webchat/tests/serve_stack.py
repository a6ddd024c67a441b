"""Starts the whole stack for the browser tests on free loopback ports and keeps it up until
stdin closes or a signal arrives; then stops every process it started.

The browser tests (webchat/tests/*.test.mjs) spawn this with a pipe on stdin, so the stack
goes down with them even if node is killed. It prints one JSON line when ready:
web_url, foreign_url (the same page on an origin that is not allowed), rasa_url, backend_url,
rasa_token, staff_api_key, log_dir.

Run by hand: .venv/bin/python webchat/tests/serve_stack.py   (Ctrl-D stops it)
"""
from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from testkit.limits import ONE_CLIENT_FOR_MANY_LEARNERS
from testkit.ports import free_port
from testkit.process import Service
from testkit.stack import Stack, StackConfig

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description="stack for the web chat's browser tests")
    parser.add_argument("--without-backend", action="store_true",
                        help="skip the backend (development only: submissions cannot be stored)")
    args = parser.parse_args()

    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="plr-webchat-"))
    web_port = free_port()
    config = StackConfig(
        rasa_port=free_port(),
        action_port=free_port(),
        backend_port=free_port(),
        web_port=web_port,
        model=model.resolve(),
        log_dir=workdir / "log",
        with_backend=not args.without_backend,
        with_web=True,
        extra_env={
            "DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}",
            "OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
            # Only the page under test may connect; the foreign page below may not.
            "WEB_ALLOWED_ORIGINS": f"http://localhost:{web_port}",
            "WEB_SOCKET_URL": "",
            # Every browser test's page comes from 127.0.0.1 (testkit/limits.py).
            **ONE_CLIENT_FOR_MANY_LEARNERS,
        },
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())

    stack = Stack(config)
    foreign = None
    clean_exit = False
    try:
        stack.start()
        foreign_port = free_port()
        foreign = Service("foreign-web", [*stack.web_argv()[:-1], str(foreign_port)],
                          config.log_dir / "foreign-web.log", env=stack.env, cwd=ROOT)
        foreign.start().wait_http(f"http://{config.host}:{foreign_port}/healthz", 30)
        print(json.dumps({
            "web_url": config.web_url,
            "foreign_url": f"http://localhost:{foreign_port}",
            "rasa_url": config.rasa_url,
            "backend_url": config.backend_url if config.with_backend else None,
            "rasa_token": stack.env["RASA_API_TOKEN"],
            "staff_api_key": stack.env.get("STAFF_API_KEY"),
            "log_dir": str(config.log_dir),
        }), flush=True)

        def wait_for_stdin_eof() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
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
        if foreign is not None:
            foreign.stop()
        stack.stop()
        # The services' logs are kept only when something went wrong.
        if clean_exit:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"Logs kept in {config.log_dir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

"""`make run`: start the backend, the action server, the Rasa server and the web page;
print where they are; stop every one of them on Ctrl-C (or when one of them dies)."""
from __future__ import annotations

import os
import signal
import sys
import time

from testkit.stack import Stack, StackConfig, project_env


def main() -> int:
    # Files the services create (var/backend.db, var/outbox.sqlite3, logs) are private to
    # this user; every child process inherits the mask.
    os.umask(0o077)
    env = project_env()
    stack = Stack(StackConfig.from_env(env, with_console=True))
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print("Starting the PLR assistant (logs in var/log/) ...", flush=True)
    try:
        stack.start()
    except Exception as exc:  # a service failed to come up: say which, with its log tail
        print(f"\nStart-up failed: {exc}", file=sys.stderr)
        return 1
    config = stack.config
    print(
        "\nThe PLR assistant is running:\n"
        f"  Web chat        {config.web_url}/\n"
        f"  Rasa REST       POST {config.rasa_url}/webhooks/rest/webhook\n"
        f"  Rasa socket.io  {config.rasa_url}/socket.io/\n"
        f"  Action server   {config.action_url}/health\n"
        f"  Backend         {config.backend_url}/openapi.json\n"
        f"  Staff console   {config.web_url}/staff/   (first account: STAFF_ADMIN_* in .env)\n"
        "Press Ctrl-C to stop everything.",
        flush=True,
    )
    try:
        while not stopping:
            dead = [name for name, service in stack.services.items() if not service.alive()]
            if dead:
                print(f"Stopped because {', '.join(dead)} exited; see var/log/.", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

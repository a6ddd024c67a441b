"""Stop cleanly when the terminal closes or someone sends SIGTERM: the services a tool started
are stopped by its `finally` blocks, which a default SIGTERM/SIGHUP would skip."""
from __future__ import annotations

import signal


def exit_on_termination() -> None:
    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit)

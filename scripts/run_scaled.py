"""`make run-scaled`: the assistant scaled out on one machine, as it would run on several.

Starts a throwaway PostgreSQL cluster (tracker store and backend database), Redis (lock store),
the backend, two action servers, two Rasa servers (endpoints.yml with TRACKER_STORE=postgresql
and LOCK_STORE=redis) and the web page, all on loopback ports, with nginx
(deploy/nginx.conf.template) as the only public entrance: the web page, socket.io and the
Twilio webhook. Rasa's HTTP API and REST channel stay on the Rasa servers' loopback ports.
Ctrl-C stops everything (also when a service dies). Telemetry is
off for every Rasa process (RASA_TELEMETRY_ENABLED=false).

Settings from .env: SCALED_PUBLIC_PORT (nginx, default 8090), EDGE_* (per address limits),
CONVERSATION_* (per conversation limits), and the usual secrets. Logs and state go to
var/scaled/ (cleared at each start; PostgreSQL and Redis keep nothing between runs).
"""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
from pathlib import Path

from testkit.scaled import EdgeLimits, ScaledConfig, ScaledStack
from testkit.stack import ROOT, project_env


def main() -> int:
    env = project_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-port", type=int, default=int(env.get("SCALED_PUBLIC_PORT") or 8090))
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "var" / "scaled")
    args = parser.parse_args()

    shutil.rmtree(args.work_dir, ignore_errors=True)
    config = ScaledConfig(work_dir=args.work_dir, model=args.model.resolve(), public_port=args.public_port,
                          edge=EdgeLimits.from_env(env))
    stack = ScaledStack(config)
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"Starting the scaled-out PLR assistant (logs in {config.log_dir}/; the Rasa servers take a "
          "minute or two) ...", flush=True)
    try:
        stack.start()
    except Exception as exc:
        print(f"\nStart-up failed: {exc}", file=sys.stderr)
        return 1
    pg = stack.postgres
    print(
        "\nThe scaled-out PLR assistant is running:\n"
        f"  Public (nginx)      {config.public_url}/   web chat, /socket.io/, /webhooks/twilio_voice/webhook\n"
        f"  Rasa servers        {', '.join(config.rasa_urls)}   (loopback: HTTP API with token, REST, "
        "/webhooks/health/)\n"
        f"  Action servers      {', '.join(f'http://127.0.0.1:{p}' for p in config.action_ports)}"
        f"   behind http://127.0.0.1:{config.actions_lb_port}\n"
        f"  Backend             {config.backend_url}   behind {config.backend_lb_url}\n"
        f"  Staff console       {config.public_url}/staff/   (first account: STAFF_ADMIN_* in .env)\n"
        f"  PostgreSQL          {pg.dsn_for('rasa_tracker')} (tracker store), "
        f"{pg.dsn_for('plr_backend')} (backend)\n"
        f"  Redis (lock store)  127.0.0.1:{config.redis_port}\n"
        "Press Ctrl-C to stop everything.",
        flush=True,
    )
    try:
        while not stopping:
            dead = [name for name, service in stack.services.items() if not service.alive()]
            if dead:
                print(f"Stopped because {', '.join(dead)} exited; see {config.log_dir}/.", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        print("Stopping ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

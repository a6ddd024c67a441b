#!/usr/bin/env python3
"""`make shell`: talk to the assistant in a terminal, as `rasa shell` does, through the running stack.

    make run      # in one terminal: backend, action server, Rasa, web page
    make shell    # in another: type messages, pick buttons with the arrow keys; /stop to leave

It uses Rasa's own shell front end (rasa.core.channels.console) against the REST channel of
the Rasa server at RASA_URL (default http://BIND_HOST:RASA_PORT from .env), so the custom
actions, the backend and the tracker are the running stack's: the conversation can then be
exported as a test story with scripts/export_story.py and the id printed below. When no Rasa
server answers there, it starts its own stack on free ports (needs a trained model) and stops
it on exit. `--sender ID` continues an earlier conversation.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

from stafftools.envfile import project_env, rasa_url
from stafftools.signals import exit_on_termination
from stafftools.stackctl import ROOT, own_stack
from testkit.process import http_ok


def talk(url: str, token: str, sender: str) -> None:
    from rasa.core.channels.console import record_messages

    print(f"Conversation id: {sender}  (export it: .venv/bin/python scripts/export_story.py {sender})")
    # Blocking replies: the project's REST channel answers with one JSON list (no ?stream=true).
    asyncio.run(record_messages(sender_id=sender, server_url=url, auth_token=token or "", use_response_stream=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-url", help="default RASA_URL, or http://BIND_HOST:RASA_PORT from .env")
    parser.add_argument("--sender", default=f"shell-{uuid.uuid4().hex[:8]}", help="conversation id to use")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz",
                        help="model for the stack started when none is running")
    args = parser.parse_args()
    exit_on_termination()
    env = project_env()
    url = (args.rasa_url or rasa_url(env)).rstrip("/")
    if http_ok(f"{url}/"):
        print(f"Using the running Rasa server at {url}")
        talk(url, env.get("RASA_API_TOKEN", ""), args.sender)
        return 0
    if not args.model.exists():
        print(f"No Rasa server at {url} and no model at {args.model}: run `make train`, then `make run`.",
              file=sys.stderr)
        return 1
    print(f"No Rasa server at {url}: starting backend, action server and Rasa on free ports (about a minute) ...")
    with own_stack(args.model, with_proxy=False, keep_logs=ROOT / "var" / "log" / "shell") as stack:
        talk(stack.rasa_url, stack.token, args.sender)
    return 0


if __name__ == "__main__":
    sys.exit(main())

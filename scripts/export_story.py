#!/usr/bin/env python3
"""Export a real conversation as a test story, with its personal details made synthetic.

    .venv/bin/python scripts/export_story.py CONVERSATION_ID                 # prints the story
    .venv/bin/python scripts/export_story.py CONVERSATION_ID --name "Postcode corrected twice" \
        --out tests/stories/test_exported_stories.yml                        # appends it to a file

It reads the conversation from the running Rasa server's HTTP API (`GET /conversations/<id>/story`,
which writes a test story, and `/tracker` for the slots), so it needs RASA_URL (default
http://127.0.0.1:$RASA_PORT) and RASA_API_TOKEN, both from .env. Names, dates of birth, postcodes,
ULNs, emails and references are replaced by synthetic stand-ins (stafftools/redact.py);
read the result before committing it. `make test` then runs it with the other test stories.
Conversation ids: the sender id of a REST call or of `make shell` (it prints it), the web chat's
session id, or a call's CallSid; the backend stores it with each request (`conversation_id`).
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import yaml

from actions.personal import PERSONAL_SLOTS
from stafftools.rasa_http import HttpError, RasaClient
from stafftools.redact import Redactor, redact_story
from testkit.stack import project_env


def settings() -> dict:
    env = project_env()
    host = env.get("PUBLIC_BIND_HOST") or env.get("BIND_HOST") or "127.0.0.1"
    url = env.get("RASA_URL") or f"http://{host}:{env.get('RASA_PORT') or 5005}"
    return {"url": url, "token": env.get("RASA_API_TOKEN")}


def export(client: RasaClient, conversation_id: str, name: str | None, all_sessions: bool) -> str:
    story_text = client.story(conversation_id, all_sessions=all_sessions)
    document = yaml.safe_load(story_text) or {}
    if not document.get("stories"):
        raise SystemExit(f"conversation {conversation_id!r} has no story to export (is the id right?)")
    events = client.tracker(conversation_id).get("events") or []
    document = redact_story(document, events, Redactor(PERSONAL_SLOTS))
    for i, story in enumerate(document["stories"], 1):
        base = name or f"Exported conversation {date.today().isoformat()}"
        story["story"] = base if len(document["stories"]) == 1 else f"{base} (session {i})"
    return yaml.safe_dump(document["stories"], sort_keys=False, allow_unicode=True, width=100)


def append(out: Path, stories_yaml: str) -> None:
    if out.exists() and out.read_text().strip():
        existing = yaml.safe_load(out.read_text()) or {}
        if "stories" not in existing:
            raise SystemExit(f"{out} exists but has no 'stories:' list; choose another --out")
        with out.open("a", encoding="utf-8") as handle:
            handle.write("\n" + stories_yaml)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("# Test stories exported from real conversations by scripts/export_story.py;\n"
                       "# personal details replaced by synthetic ones. Reviewed before commit.\n"
                       "version: \"3.1\"\nstories:\n" + stories_yaml, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("conversation_id", nargs="?", help="the conversation (sender) id")
    parser.add_argument("--name", help="the story's name (what it shows)")
    parser.add_argument("--out", type=Path, help="append the story to this test-story file")
    parser.add_argument("--all-sessions", action="store_true", help="every session, not only the latest")
    parser.add_argument("--rasa-url", help="default RASA_URL or http://127.0.0.1:$RASA_PORT")
    args = parser.parse_args()
    conf = settings()
    client = RasaClient(args.rasa_url or conf["url"], conf["token"])
    try:
        if not args.conversation_id:
            parser.error("give a conversation id")
        stories = export(client, args.conversation_id, args.name, args.all_sessions)
    except HttpError as exc:
        hint = ("no conversation with that id on this server (Rasa keeps conversations in memory until it "
                "restarts)" if exc.status == 404 else "is the stack running (`make run`)?")
        print(f"could not read the conversation: {exc}\n{hint}", file=sys.stderr)
        return 1
    if args.out:
        append(args.out, stories)
        print(f"appended to {args.out}; review it, then `make test` runs it with the other test stories")
    else:
        print(stories)
    return 0


if __name__ == "__main__":
    sys.exit(main())

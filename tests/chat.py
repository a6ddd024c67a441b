"""A tiny REST-channel client for tests. Rasa answers 200 with [] when processing fails,
so an empty reply is an error here, not a pass."""
from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Dict, List


class EmptyReply(AssertionError):
    pass


def send(rasa_url: str, sender: str, text: str, timeout: float = 30.0, allow_empty: bool = False) -> List[Dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200, response.status
        replies = json.loads(response.read())
    if not replies and not allow_empty:
        raise EmptyReply(f"Rasa sent no reply to {text!r}")
    return replies


def texts(replies: List[Dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))


def new_sender(prefix: str = "test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def buttons(replies: List[Dict]) -> List[str]:
    return [b.get("title", "") for r in replies for b in (r.get("buttons") or [])]


def tracker(rasa_url: str, token: str, sender: str) -> Dict:
    request = urllib.request.Request(f"{rasa_url}/conversations/{sender}/tracker?token={token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())

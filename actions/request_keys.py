"""The Idempotency-Key a request is sent with (actions/submit.py, and the outbox that keeps it)."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Dict


def idempotency_key(request_key: str, payload: Dict[str, Any]) -> str:
    """The request's random key (slot request_key), bound to this exact body.

    A retry of the same body (a turn that failed after the backend stored it) replays the first
    answer. A corrected body after such an attempt gets a new key, so it is stored, instead of
    refused with 409 while the learner hears "nothing was stored". Keyed with the request's own
    random key, so the value reveals nothing about the details to whoever reads the backend.
    """
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(request_key.encode(), body.encode(), hashlib.sha256).hexdigest()[:40]

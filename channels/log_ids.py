"""Identifiers that may appear in logs only as a keyed hash: a Twilio CallSid can be linked to
the caller's number by anyone with the Twilio account, and with it a live call could be driven
through another route. The hash still lets staff follow one call through the logs.

The key is `LOG_PSEUDONYM_KEY` (the same on every Rasa server, so one call's lines match across
servers), or else a random key for this process.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

_key = (os.environ.get("LOG_PSEUDONYM_KEY") or "").encode() or secrets.token_bytes(32)


def log_id(value: str) -> str:
    """A short keyed hash of `value` for log lines (12 hex digits)."""
    return hmac.new(_key, b"plr-log:" + value.encode(), hashlib.sha256).hexdigest()[:12]

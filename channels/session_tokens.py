"""Web chat session ids: random, issued by the server, and checked when a browser returns one.

A token is `<sender id>.<signature>`. The sender id (the Rasa conversation id) is 128 random
bits and says nothing about the learner. The signature is an HMAC of the id under a server
secret, so a browser can only resume a conversation the server itself started: it cannot pick
an id of its own, or guess someone else's. Being stateless, the check works on every Rasa
server behind a load balancer that shares the secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Tuple

MIN_SECRET_LENGTH = 16
_SENDER_ID = re.compile(r"^[0-9a-f]{32}$")


class SessionSecretError(ValueError):
    pass


def _signature(secret: str, sender_id: str) -> str:
    digest = hmac.new(secret.encode(), b"plr-webchat-session:" + sender_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def check_secret(secret: str | None) -> str:
    if not secret or len(secret) < MIN_SECRET_LENGTH or secret.startswith("${"):
        raise SessionSecretError(
            "The web chat needs WEBCHAT_SESSION_SECRET (at least "
            f"{MIN_SECRET_LENGTH} characters) in .env: run `make setup` to add one."
        )
    return secret


def issue(secret: str) -> Tuple[str, str]:
    """A new conversation: (sender id for Rasa, token for the browser)."""
    sender_id = secrets.token_hex(16)
    return sender_id, f"{sender_id}.{_signature(secret, sender_id)}"


def verify(secret: str, token: object) -> str | None:
    """The sender id inside a token this server issued, or None for anything else."""
    if not isinstance(token, str) or len(token) > 100 or token.count(".") != 1:
        return None
    sender_id, signature = token.split(".")
    if not _SENDER_ID.match(sender_id):
        return None
    if not hmac.compare_digest(signature, _signature(secret, sender_id)):
        return None
    return sender_id

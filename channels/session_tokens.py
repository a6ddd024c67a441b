"""Web chat session ids: random, issued by the server, checked when a browser returns one, and
valid for a limited time.

A token is `<sender id>.<issued>.<signature>`. The sender id (the Rasa conversation id) is 128
random bits and says nothing about the learner; `issued` is when the server issued it (Unix
seconds, base 36). The signature is an HMAC of both under a server secret, so a browser can
only resume a conversation the server itself started: it cannot pick an id of its own, guess
someone else's, or make an old token younger. Being stateless, the check works on every Rasa
server behind a load balancer that shares the secret.

- Expiry: a token older than `max_age` (WEBCHAT_SESSION_MAX_DAYS, 30 days by default, the
  tracker store's retention) is refused, so the browser gets a new conversation; a copied
  token stops working on its own.
- Rotation: WEBCHAT_SESSION_SECRET may list several secrets, comma separated. The first signs
  new tokens; every one is accepted, so a new secret can be put first while tokens signed
  with the old one live out their time, then the old one removed.
Tokens of the earlier form `<sender id>.<signature>` (no issue time) are refused: their
browsers start a new conversation, as after a secret change.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Callable, List, Sequence, Tuple, Union

MIN_SECRET_LENGTH = 16
DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 3600
_SENDER_ID = re.compile(r"^[0-9a-f]{32}$")
_ISSUED = re.compile(r"^[0-9a-z]{1,10}$")
# A browser's clock is not involved, but servers' clocks differ a little.
CLOCK_SKEW_SECONDS = 300

Secrets = Union[str, Sequence[str]]


class SessionSecretError(ValueError):
    pass


def _signature(secret: str, sender_id: str, issued: str) -> str:
    message = b"plr-webchat-session:" + sender_id.encode() + b"." + issued.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _list(secret: Secrets) -> List[str]:
    items = secret.split(",") if isinstance(secret, str) else list(secret)
    return [item.strip() for item in items if item and item.strip()]


def check_secret(secret: str | None) -> str:
    items = _list(secret or "")
    if not items or any(len(item) < MIN_SECRET_LENGTH or item.startswith("${") for item in items):
        raise SessionSecretError(
            "The web chat needs WEBCHAT_SESSION_SECRET (at least "
            f"{MIN_SECRET_LENGTH} characters, or several such secrets separated by commas) in .env: "
            "run `make setup` to add one."
        )
    return secret  # type: ignore[return-value]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def issue(secret: Secrets, clock: Callable[[], float] = time.time) -> Tuple[str, str]:
    """A new conversation: (sender id for Rasa, token for the browser), signed with the first
    secret."""
    sender_id = secrets.token_hex(16)
    issued = _base36(int(clock()))
    return sender_id, f"{sender_id}.{issued}.{_signature(_list(secret)[0], sender_id, issued)}"


def verify(secret: Secrets, token: object, max_age: float = DEFAULT_MAX_AGE_SECONDS,
           clock: Callable[[], float] = time.time) -> str | None:
    """The sender id inside a token this server issued and that has not expired, or None."""
    if not isinstance(token, str) or len(token) > 120 or token.count(".") != 2:
        return None
    sender_id, issued, signature = token.split(".")
    if not _SENDER_ID.match(sender_id) or not _ISSUED.match(issued):
        return None
    if not any(hmac.compare_digest(signature, _signature(item, sender_id, issued)) for item in _list(secret)):
        return None
    age = clock() - int(issued, 36)
    if age > max_age or age < -CLOCK_SKEW_SECONDS:
        return None
    return sender_id

"""Encryption of personal fields at rest (Fernet) and keyed lookup hashes (HMAC-SHA256).

The database never holds a personal value in clear: each request's personal fields are one
Fernet token, and the few lookups we need (date-of-birth check, register matching, idempotent
replay) compare keyed hashes, which are useless without BACKEND_HASH_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet


class Vault:
    def __init__(self, fernet: MultiFernet, hash_key: bytes) -> None:
        self._fernet = fernet
        self._hash_key = hash_key

    def seal(self, fields: Mapping[str, Any]) -> str:
        payload = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return self._fernet.encrypt(payload.encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            # A wrong or rotated-away key: say so without echoing the token.
            raise UnreadableRecord("personal fields cannot be decrypted with the configured keys") from exc

    def seal_text(self, text: str | None) -> str | None:
        return None if text is None else self._fernet.encrypt(text.encode()).decode()

    def open_text(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise UnreadableRecord("a note cannot be decrypted with the configured keys") from exc

    def digest(self, purpose: str, *parts: str) -> str:
        """HMAC over the parts, separated so ("ab","c") and ("a","bc") differ; purpose separates uses."""
        message = "\x1f".join((purpose, *parts)).encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def dob_hash(self, iso_date: str) -> str:
        return self.digest("dob", iso_date)

    def uln_hash(self, uln: str) -> str:
        return self.digest("uln", uln)

    def identity_hash(self, given: str, family: str, iso_date: str, postcode: str) -> str:
        return self.digest("identity", fold_name(given), fold_name(family), iso_date, postcode.replace(" ", "").upper())

    def body_hash(self, body: Mapping[str, Any]) -> str:
        return self.digest("body", json.dumps(dict(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False))


class UnreadableRecord(RuntimeError):
    pass


def fold_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form for matching ("Zoë O'Neil" == "zoe oneil")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = [c for c in decomposed if c.isalpha() or c == " "]
    return " ".join("".join(letters).split())

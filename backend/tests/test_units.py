"""In-process checks of the small pure pieces: references, hashing, settings, logs, cursors."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from cryptography.fernet import Fernet, MultiFernet

from plr_backend.crypto import Vault, fold_name
from plr_backend.logs import JsonFormatter
from plr_backend.references import ALPHABET, new_reference, normalise_reference
from plr_backend.settings import ConfigError, load_settings, normalise_database_url
from plr_backend.store import InvalidCursor, decode_cursor, encode_cursor
from support import REFERENCE_RE

GOOD_ENV = {
    "ACTIONS_API_KEY": "a" * 20,
    "STAFF_API_KEY": "s" * 20,
    "BACKEND_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "BACKEND_HASH_KEY": "h" * 20,
    "PLR_ENV_FILE": "/nonexistent/.env",
}


def test_references_use_only_unambiguous_characters():
    assert not set(ALPHABET) & set("01OIL")
    seen = {new_reference() for _ in range(5000)}
    assert len(seen) == 5000
    assert all(re.match(REFERENCE_RE, r) for r in seen)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("PLR-7K3M-9QXD", "PLR-7K3M-9QXD"),
        ("plr 7k3m 9qxd", "PLR-7K3M-9QXD"),
        ("7K3M9QXD", "PLR-7K3M-9QXD"),
        ("PLR-7K3M-9QX0", None),
        ("PLR-7K3M-9QXDD", None),
        ("", None),
        ("PLR-OOOO-IIII", None),
        ("x" * 100, None),
    ],
)
def test_normalise_reference(typed, expected):
    assert normalise_reference(typed) == expected


def test_hashes_are_keyed_separated_and_fold_names():
    vault = Vault(MultiFernet([Fernet(Fernet.generate_key())]), b"k" * 32)
    other = Vault(MultiFernet([Fernet(Fernet.generate_key())]), b"j" * 32)
    assert vault.dob_hash("2001-03-12") != other.dob_hash("2001-03-12")
    assert vault.dob_hash("2001-03-12") != vault.uln_hash("2001-03-12")
    assert vault.digest("x", "ab", "c") != vault.digest("x", "a", "bc")
    assert vault.identity_hash("Zoë", "O'Neil", "2001-03-12", "sw1a1aa") == vault.identity_hash(
        "ZOE", "oneil", "2001-03-12", "SW1A 1AA"
    )
    assert fold_name("  Siân   Ap-Rhys ") == "sian aprhys"


def test_sealed_fields_round_trip_and_survive_key_rotation():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = Vault(MultiFernet([Fernet(old)]), b"k").seal({"given_name": "Testname"})
    rotated = Vault(MultiFernet([Fernet(new), Fernet(old)]), b"k")
    assert rotated.open(token) == {"given_name": "Testname"}
    assert "Testname" not in token


def test_settings_fail_fast_with_every_problem_listed():
    with pytest.raises(ConfigError) as error:
        load_settings(
            {
                "PLR_ENV_FILE": "/nonexistent/.env",
                "STAFF_API_KEY": "__secret__",
                "BACKEND_ENCRYPTION_KEY": "nope" * 5,
                "RETENTION_DAYS": "soon",
                "LOG_LEVEL": "LOUD",
            }
        )
    message = str(error.value)
    for expected in (
        "ACTIONS_API_KEY is missing",
        "STAFF_API_KEY still holds the placeholder",
        "BACKEND_ENCRYPTION_KEY is not a Fernet key",
        "BACKEND_HASH_KEY is missing",
        "RETENTION_DAYS must be a whole number",
        "LOG_LEVEL must be one of",
    ):
        assert expected in message


def test_settings_refuse_one_key_for_both_roles():
    with pytest.raises(ConfigError, match="must differ"):
        load_settings(dict(GOOD_ENV, STAFF_API_KEY=GOOD_ENV["ACTIONS_API_KEY"]))


def test_settings_defaults_and_repr_hides_secrets():
    settings = load_settings(GOOD_ENV)
    assert (settings.port, settings.bind_host, settings.retention_days, settings.log_level) == (
        8000,
        "127.0.0.1",
        365,
        "INFO",
    )
    assert settings.database_url.endswith("/var/backend.db") and settings.is_sqlite
    assert "a" * 20 not in repr(settings) and "h" * 20 not in repr(settings)


def test_the_backend_listens_on_the_internal_address_not_the_public_one():
    # An .env from before the split has BIND_HOST=0.0.0.0 for the page: the backend stays private.
    assert load_settings(dict(GOOD_ENV, BIND_HOST="0.0.0.0", INTERNAL_BIND_HOST="127.0.0.1")).bind_host == "127.0.0.1"
    assert load_settings(dict(GOOD_ENV, BIND_HOST="127.0.0.2")).bind_host == "127.0.0.2"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://h/d", "postgresql+psycopg://h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls(raw, expected):
    assert normalise_database_url(raw) == expected


def test_unsupported_database_url_is_refused():
    with pytest.raises(ConfigError):
        normalise_database_url("mysql://h/d")


def test_cursor_round_trip_and_forgery():
    assert decode_cursor(encode_cursor(12345)) == 12345
    for bad in ("", "!!", "cjEyYQ", "eDEy", "r" * 70):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_log_formatter_keeps_only_whitelisted_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("plr_backend.test-formatter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("Testperson-Secret 2001-03-12")
    except ValueError:
        logger.error("failed", exc_info=True, extra={"reference": "PLR-7K3M-9QXD", "given_name": "Testperson-Secret"})
    entry = json.loads(stream.getvalue())
    assert entry["reference"] == "PLR-7K3M-9QXD" and entry["exception"] == "ValueError"
    assert "Testperson-Secret" not in stream.getvalue() and "2001-03-12" not in stream.getvalue()


def test_catch_all_turns_an_unexpected_exception_into_a_json_503():
    import asyncio

    import httpx

    from plr_backend.middleware import CatchAll

    async def broken(scope, receive, send):
        raise KeyError("Testperson-Secret")

    async def call():
        transport = httpx.ASGITransport(app=CatchAll(broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/anything")

    response = asyncio.run(call())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "retry" in response.json()["detail"] and "Testperson" not in response.text


def test_date_of_birth_is_judged_on_the_uk_date(monkeypatch):
    """At 23:30 UTC on 1 June it is already 2 June in the UK (BST): a learner born 2 June 2013
    turns 13 that UK day, and the assistant (Europe/London) has accepted them."""
    from datetime import UTC, datetime

    from pydantic import ValidationError

    from plr_backend import validation
    from plr_backend.schemas import RequestIn

    monkeypatch.setattr(validation, "utcnow", lambda: datetime(2026, 6, 1, 23, 30, tzinfo=UTC))
    assert str(validation.today_uk()) == "2026-06-02"
    body = {
        "type": "opt_out",
        "given_name": "Testy",
        "family_name": "Testperson-Birthday",
        "date_of_birth": "2013-06-02",
        "postcode": "CV1 1AA",
        "channel": "web",
        "conversation_id": "conv-uk-date",
    }
    assert RequestIn.model_validate(body).date_of_birth == "2013-06-02"
    with pytest.raises(ValidationError) as refused:
        RequestIn.model_validate({**body, "date_of_birth": "2013-06-03"})
    assert refused.value.errors()[0]["type"] == "age_under_13"
    monkeypatch.setattr(validation, "utcnow", lambda: datetime(2026, 6, 1, 22, 30, tzinfo=UTC))
    with pytest.raises(ValidationError):  # 23:30 BST on 1 June: not 13 yet
        RequestIn.model_validate(body)

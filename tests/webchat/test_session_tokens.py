"""Web chat session ids: random, signed by the server, and refused when forged or altered."""
import pytest

from channels import session_tokens
from channels.socketio_channel import origin_checker, parse_origins

SECRET = "synthetic-test-secret-0123456789"


def test_issued_token_verifies_to_its_sender_id():
    sender_id, token = session_tokens.issue(SECRET)
    assert len(sender_id) == 32 and int(sender_id, 16) >= 0
    assert token.startswith(sender_id + ".")
    assert session_tokens.verify(SECRET, token) == sender_id


def test_ids_are_random_not_derived_from_anything():
    ids = {session_tokens.issue(SECRET)[0] for _ in range(200)}
    assert len(ids) == 200


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        42,
        {"session_id": "x"},
        "jane.smith",
        "0123456789abcdef0123456789abcdef",  # an id without a signature
        "0123456789abcdef0123456789abcdef.AAAA",  # a made-up signature
        "0123456789abcdef0123456789abcdef.s8q3zk.AAAA",
        "0123456789ABCDEF0123456789ABCDEF.s8q3zk.AAAA",
        "a" * 200,
    ],
)
def test_forged_tokens_are_refused(token):
    assert session_tokens.verify(SECRET, token) is None


def test_altered_or_foreign_tokens_are_refused():
    sender_id, token = session_tokens.issue(SECRET)
    other_id = ("0" if sender_id[0] != "0" else "1") + sender_id[1:]
    assert session_tokens.verify(SECRET, other_id + token[32:]) is None
    assert session_tokens.verify("another-secret-of-enough-length", token) is None
    assert session_tokens.verify(SECRET, token + "x") is None
    _, issued, signature = token.split(".")
    younger = session_tokens._base36(int(issued, 36) + 3600)
    assert session_tokens.verify(SECRET, f"{sender_id}.{younger}.{signature}") is None


def test_tokens_expire():
    sender_id, token = session_tokens.issue(SECRET, clock=lambda: 1_800_000_000)
    assert session_tokens.verify(SECRET, token, max_age=3600, clock=lambda: 1_800_003_000) == sender_id
    assert session_tokens.verify(SECRET, token, max_age=3600, clock=lambda: 1_800_003_601) is None
    # From the future (beyond clock skew): not this server's.
    assert session_tokens.verify(SECRET, token, clock=lambda: 1_799_990_000) is None


def test_the_secret_can_be_rotated():
    old = "synthetic-old-secret-0123456789"
    sender_id, old_token = session_tokens.issue(old)
    both = f"{SECRET},{old}"
    assert session_tokens.verify(both, old_token) == sender_id  # old tokens live on
    new_id, new_token = session_tokens.issue(both)
    assert session_tokens.verify(SECRET, new_token) == new_id  # new ones are signed with the first
    assert session_tokens.verify(old, new_token) is None
    assert session_tokens.verify(SECRET, old_token) is None  # once the old secret is removed


def test_tokens_of_the_earlier_form_are_refused():
    sender_id, token = session_tokens.issue(SECRET)
    _, issued, signature = token.split(".")
    assert session_tokens.verify(SECRET, f"{sender_id}.{signature}") is None


@pytest.mark.parametrize("secret", [None, "", "short", "${WEBCHAT_SESSION_SECRET}",
                                    "synthetic-test-secret-0123456789,short"])
def test_missing_or_weak_secret_fails_fast(secret):
    with pytest.raises(session_tokens.SessionSecretError, match="WEBCHAT_SESSION_SECRET"):
        session_tokens.check_secret(secret)


def test_origins_parse_and_an_empty_list_refuses_everyone():
    assert parse_origins(" http://localhost:8080/ ,, http://127.0.0.1:8080") == [
        "http://localhost:8080",
        "http://127.0.0.1:8080",
    ]
    allowed = origin_checker(parse_origins("http://localhost:8080"))
    assert allowed("http://localhost:8080")
    assert not allowed("http://localhost:8081")
    assert not allowed("http://evil.example")
    assert not allowed(None)
    nobody = origin_checker(parse_origins(""))
    assert not nobody("http://localhost:8080")

"""L4 and M2: deeply nested or oversized bodies get a 4xx with a message, never a 500, on every
route the project adds to Rasa; Sanic refuses bodies above 64 KB before reading them."""
from __future__ import annotations

import pytest

from tests.hardening.conftest import post_json
from tests.scale.netclient import raw

pytestmark = pytest.mark.stack


def rest_url(stack):
    return f"{stack.config.rasa_url}/webhooks/rest/webhook"


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"sender": ' * 5_000,
                                  b'{"sender": "a", "message": ' + b"[" * 50_000],
                         ids=["arrays", "objects", "in-message"])
def test_deeply_nested_json_gets_400_with_a_message(limited, body):
    status, _, answer = post_json(rest_url(limited), None, raw=body)
    assert status == 400, (status, answer)
    assert "nested too deeply" in answer["error"] or "not valid JSON" in answer["error"]


@pytest.mark.parametrize("size", [100_000, 1_000_000, 2_000_000])
def test_oversized_bodies_get_413_on_every_route(limited, size):
    base = limited.config.rasa_url
    body = b"[" * size
    for path, content_type in [
        ("/webhooks/rest/webhook", "application/json"),
        ("/webhooks/twilio_voice/webhook", "application/x-www-form-urlencoded"),
        ("/socket.io/?EIO=4&transport=polling", "text/plain"),
        (f"/model/parse?token={limited.env['RASA_API_TOKEN']}", "application/json"),
    ]:
        status, _, answer = raw(base, "POST", path, body, headers={"Content-Type": content_type}, timeout=60)
        assert status == 413, (path, size, status, answer[:200])
        assert b'"error"' in answer and b"larger than 64 KB" in answer, answer[:200]
    # A GET-only route refuses the method before it would read the body.
    status, _, _ = raw(base, "POST", "/webhooks/health/", body, headers={"Content-Type": "application/json"})
    assert status in (405, 413)


def test_the_server_is_well_after_hostile_bodies(limited):
    status, _, answer = post_json(rest_url(limited), {"sender": "after-hostile", "message": "what is a ULN?"},
                                  address="192.0.2.90")
    assert status == 200 and answer and "10-digit" in answer[0]["text"]


def test_deeply_nested_socketio_packet_is_dropped_and_the_server_carries_on(limited):
    """A socket.io packet nested 30,000 deep (within the 64 KB limit): python-socketio fails to
    decode it in that packet's own task; the long-polling POST is not a 5xx, and the server
    keeps answering."""
    import json as jsonlib

    base = limited.config.rasa_url
    status, _, body = raw(base, "GET", "/socket.io/?EIO=4&transport=polling")
    assert status == 200
    sid = jsonlib.loads(body.decode()[1:])["sid"]
    path = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
    assert raw(base, "POST", path, b"40", headers={"Content-Type": "text/plain"})[0] == 200
    nested = b'42["user_uttered",' + b"[" * 30_000 + b"]" * 30_000 + b"]"
    status, _, _ = raw(base, "POST", path, nested, headers={"Content-Type": "text/plain"})
    assert status < 500
    status, _, answer = post_json(rest_url(limited), {"sender": "after-nested-socket", "message": "what is a ULN?"},
                                  address="192.0.2.91")
    assert status == 200 and answer

"""Bad input to every public route: the REST channel (staff, loopback), socket.io and the Twilio
webhook (through nginx, as the public reaches them), the web page, and the backend. Nothing
answers 5xx, nothing crashes, every message gets an answer; the counts are printed at the end."""
from __future__ import annotations

import json
import uuid

import pytest
from twilio.request_validator import RequestValidator

from testkit.web_learner import WebLearner, run
from tests.faults import tally
from tests.faults.payloads import TEXTS, backend_bodies
from tests.scale.netclient import raw
from tests.voice.twilio_calls import Caller

pytestmark = pytest.mark.stack
VOICE_PATH = "/webhooks/twilio_voice/webhook"


def record(route, status):
    tally.count(route, "5xx" if status >= 500 else str(status))
    return status


def test_rest_channel(scaled):
    url = f"{scaled.rasa_url(0)}/webhooks/rest/webhook"
    for name, text in TEXTS.items():
        answer = scaled.say(0, f"bad-{uuid.uuid4().hex[:8]}", text)
        record("REST: odd messages", answer.status)
        assert answer.status == 200, (name, answer)
        assert answer.texts, f"no answer to {name}"
    malformed = [
        (b"{not json", "application/json"), (b"[]", "application/json"), (b'"a string"', "application/json"),
        (b"null", "application/json"), (b"{}", "application/json"), (b'{"sender": "a"}', "application/json"),
        (b'{"message": "hi"}', "application/json"), (b'{"sender": 5, "message": "hi"}', "application/json"),
        (b'{"sender": "a", "message": 5}', "application/json"),
        (b'{"sender": "a", "message": null}', "application/json"),
        (b'{"sender": "' + b"s" * 500 + b'", "message": "hi"}', "application/json"),
        (b'{"sender": "a\\u0000b", "message": "hi"}', "application/json"),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', "application/json"),
        (b'{"sender": "a", "message": "hi", "input_channel": "../x"}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"), (b"", "application/json"),
        (b"sender=a&message=hi", "application/x-www-form-urlencoded"), (b"hi", "text/plain"),
        (b"<xml/>", "application/xml"), (json.dumps({"sender": "a", "message": "hi"}).encode(), ""),
        (b'{"sender": "a", "message": "' + b"x" * 70_000 + b'"}', "application/json"),
    ]
    for body, content_type in malformed:
        headers = {"Content-Type": content_type} if content_type else {}
        status, _, answer = raw(url, "POST", body=body, headers=headers)
        record("REST: malformed requests", status)
        assert 400 <= status < 500, (body[:60], content_type, status, answer[:200])
        assert b"error" in answer
    for method in ("GET", "PUT", "DELETE"):
        status = record("REST: wrong methods", raw(url, method)[0])
        assert 400 <= status < 500


def test_socketio_through_nginx(scaled):
    async def scenario():
        learner = await WebLearner(scaled.config.public_url).connect()
        try:
            for name, text in TEXTS.items():
                answer = await learner.say(text)
                events = [event for event, _ in answer]
                tally.count("socket.io: odd messages", "answered" if events else "unanswered")
                assert events, f"no answer to {name}"
                if len(text) > 1000:
                    assert ("chat_error", {"reason": "too_long", "max_chars": 1000}) in answer
                else:
                    assert "bot_uttered" in events, (name, answer)
            for packet in ("a string", 123, None, [1, 2], {"message": 5}, {"message": None}, {"text": "hi"},
                           {"message": "hi", "session_id": "0123456789abcdef0123456789abcdef.forged"}):
                await learner.client.emit("user_uttered", packet)
                event, data = await learner.next_event(timeout=30)
                tally.count("socket.io: malformed packets", event)
                assert event == "chat_error", (packet, event, data)
            await learner.client.emit("no_such_event", {"x": 1})
            # 40 KB reaches the channel, which answers; above 64 KB (nginx's and the transport's
            # limit) the request is refused and that connection ends, nothing else.
            await learner.client.emit("user_uttered", {"message": "z" * 40_000, "session_id": learner.token})
            event, data = await learner.next_event(timeout=30)
            tally.count("socket.io: malformed packets", f"40 KB: {event}")
            assert (event, data) == ("chat_error", {"reason": "too_long", "max_chars": 1000})
            await learner.client.emit("user_uttered", {"message": "z" * 70_000, "session_id": learner.token})
            tally.count("socket.io: malformed packets", "over 64 KB (connection closed)")
        finally:
            await learner.close()
        # The server is fine: a new learner is served at once.
        fresh = await WebLearner(scaled.config.public_url).connect()
        try:
            return await fresh.say("what is a ULN?")
        finally:
            await fresh.close()

    answer = run(scenario())
    assert any(event == "bot_uttered" for event, _ in answer)


def sign(env, url, params):
    return RequestValidator(env["TWILIO_AUTH_TOKEN"]).compute_signature(url, params)


def test_twilio_webhook_through_nginx(scaled):
    public = scaled.config.public_url
    env = {**scaled.env, "TWILIO_PUBLIC_URL": public}
    for name, text in {**TEXTS, "digits": None}.items():
        caller = Caller(public, env)
        caller.ring()
        reply = caller.say(text) if text is not None else caller.press("#*#*" + "9" * 60)
        record("voice: odd speech and keys", reply.status)
        assert reply.status == 200 and len(reply.root) > 0, name
    url = public + VOICE_PATH
    base = Caller(public, env).params("in-progress", SpeechResult="hello")
    form = "application/x-www-form-urlencoded"
    cases = [
        ("unsigned", base, None, form),
        ("wrong signature", base, "c2lnbmF0dXJl", form),
        ("no CallSid", {k: v for k, v in base.items() if k != "CallSid"}, "auto", form),
        ("malformed CallSid", {**base, "CallSid": "'; DROP TABLE--"}, "auto", form),
        ("odd CallStatus", {**base, "CallStatus": "<script>"}, "auto", form),
        ("huge field", {**base, "SpeechResult": "x" * 20_000}, "auto", form),
    ]
    for name, params, signature, content_type in cases:
        from urllib.parse import urlencode

        headers = {"Content-Type": content_type}
        if signature == "auto":
            headers["X-Twilio-Signature"] = sign(env, url, params)
        elif signature:
            headers["X-Twilio-Signature"] = signature
        status, _, body = raw(url, "POST", body=urlencode(params).encode(), headers=headers)
        record("voice: malformed requests", status)
        assert status < 500, (name, status, body[:200])
        if signature is None or signature != "auto":
            assert status == 403, name
    for name, body, content_type in [("JSON body", b'{"CallSid": "x"}', "application/json"),
                                     ("binary body", b"\xff\x00\xfe" * 100, form),
                                     ("over 64 KB", b"a=" + b"x" * 70_000, form)]:
        status, _, _ = raw(url, "POST", body=body, headers={"Content-Type": content_type,
                                                               "X-Twilio-Signature": "x"})
        record("voice: malformed requests", status)
        assert 400 <= status < 500, (name, status)


def test_web_page_through_nginx(scaled):
    public = scaled.config.public_url
    secret = scaled.env["RASA_API_TOKEN"].encode()
    paths = ["/", "/index.html", "/config.js", "/healthz", "/nope", "/js/../../.env", "/%2e%2e/%2e%2e/.env",
             "/js/%2e%2e/%2e%2e/.env", "/..%2f..%2f.env", "/.env", "/webchat/server.py",
             "/?q=<script>alert(1)</script>", "/?" + "a" * 6000, "/" + "b" * 9000, "/js/\x00", "/%00", "/%ff%fe",
             "/index.html;.js", "//etc/passwd", "/socket.io/", "/socket.io/?EIO=99&transport=carrier-pigeon",
             "/socket.io/?EIO=4&transport=polling&sid=forged"]
    for path in paths:
        for method in ("GET", "HEAD"):
            try:
                status, _, body = raw(public, method, path.replace("\x00", "%00"))
            except Exception as exc:  # the client refusing to send it is not the server's fault
                tally.count("web page: odd paths", f"client refused ({type(exc).__name__})")
                continue
            record("web page: odd paths", status)
            assert status < 500, (method, path[:80], status)
            assert secret not in body
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
        status, _, _ = raw(public, method, "/", body=b"x=1", headers={"Content-Type": "text/plain"})
        record("web page: other methods", status)
        assert 400 <= status < 500, (method, status)
    for host in ("evil.example", "", "a" * 300, "localhost:99999", "[::1"):
        status, _, _ = raw(public, "GET", "/", headers={"Host": host})
        record("web page: odd Host headers", status)
        assert status < 500, (host, status)


def test_backend(scaled):
    url = f"{scaled.config.backend_url}/v1/requests"
    key = scaled.env["ACTIONS_API_KEY"]
    for body in backend_bodies():
        status, _, answer = raw(url, "POST", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {key}",
            "Idempotency-Key": uuid.uuid4().hex})
        record("backend: odd fields", status)
        assert status in (200, 201, 409, 413, 422), (body, status, answer[:200])
    for body, content_type, auth in [(b"{bad json", "application/json", True), (b"[]", "application/json", True),
                                     (b"x=1", "application/x-www-form-urlencoded", True),
                                     (b"{}", "text/plain", True), (b"{}", "application/json", False),
                                     (b'{"a": "' + b"x" * 40_000 + b'"}', "application/json", True)]:
        headers = {"Content-Type": content_type, "Idempotency-Key": uuid.uuid4().hex}
        if auth:
            headers["Authorization"] = f"Bearer {key}"
        status, _, _ = raw(url, "POST", body=body, headers=headers)
        record("backend: malformed requests", status)
        assert 400 <= status < 500, (body[:40], content_type, auth, status)
    for reference in ("PLR-AAAA-AAAA", "'; DROP TABLE requests; --", "../../etc", "😀", "x" * 3000):
        from urllib.parse import quote

        status, _, _ = raw(url + "/" + quote(reference) + "?date_of_birth=2000-01-01",
                           headers={"Authorization": f"Bearer {key}"})
        record("backend: odd references", status)
        assert 400 <= status < 500, (reference[:40], status)


def test_nothing_crashed(scaled):
    """After all of the above every service is still running and healthy."""
    assert sorted(scaled.alive()) == sorted(scaled.stack.services), scaled.alive()
    for server in (0, 1):
        status, report = scaled.health(server)
        assert status == 200, report

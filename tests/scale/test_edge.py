"""The public side (nginx) and who may use what: only the page, socket.io and the Twilio webhook
are public; Rasa's HTTP API needs its token on every route; per-address limits answer a flood
politely; every Rasa server runs with telemetry off and reports its parts as healthy."""
from __future__ import annotations

import json
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.scale.netclient import raw

pytestmark = pytest.mark.stack


def test_the_public_side_serves_the_page_socketio_and_voice_only(scaled):
    public = scaled.config.public_url
    status, _, page = raw(public, path="/")
    assert status == 200 and b"<html" in page.lower()
    status, _, handshake = raw(public, path="/socket.io/?EIO=4&transport=polling")
    assert status == 200 and b'"sid"' in handshake
    # The voice webhook reaches Rasa's channel, which refuses an unsigned request.
    status, _, _ = raw(public, "POST", "/webhooks/twilio_voice/webhook", b"CallSid=x",
                       {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    staff_only = [("POST", "/webhooks/rest/webhook"), ("GET", "/webhooks/rest/"), ("GET", "/webhooks/health/"),
                  ("GET", "/webhooks/socketio/"), ("GET", "/status"), ("GET", "/version"),
                  ("GET", "/conversations/x/tracker"), ("POST", "/model/parse"), ("GET", "/domain"),
                  ("PUT", "/model"), ("POST", "/conversations/x/messages")]
    for method, path in staff_only:
        status, _, body = raw(public, method, path, b'{"text": "hi"}' if method != "GET" else b"",
                              {"Content-Type": "application/json"})
        assert status in (404, 405), (method, path, status)
        assert b"rasa" not in body.lower(), (path, body[:200])


def rasa_routes():
    """Every route of Rasa's HTTP API, read from Rasa's own app (not a hand-written list)."""
    from rasa.server import create_app
    from sanic import Sanic

    app = create_app(auth_token="not-the-real-one")
    # Sanic keeps apps by name; this one is only read, so leave the name free for others.
    Sanic._app_registry.pop(app.name, None)
    routes = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        path = re.sub(r"<[^>]+>", "x", path)
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                routes.append((method, path))
    return sorted(set(routes))


def test_rasa_http_api_answers_no_route_without_its_token(scaled):
    routes = rasa_routes()
    assert len(routes) >= 15, routes
    # Rasa's greeting and version are the only open routes; they say nothing about anyone.
    open_routes = {("GET", "/"), ("GET", "/version")}
    base = scaled.rasa_url(0)
    tried = Counter()
    for method, path in routes:
        for query in ("", "?token=wrong"):
            status, _, body = raw(base, method, path + query, b"{}" if method != "GET" else b"",
                                  {"Content-Type": "application/json"})
            tried[status] += 1
            if (method, path) in open_routes:
                assert status == 200 and b"sender" not in body and b"events" not in body
            else:
                assert status in (401, 403), (method, path, query, status, body[:200])
    status, _, _ = raw(base, "GET", f"/status?token={scaled.token}")
    assert status == 200, "the real token works"
    print(f"Rasa HTTP API without a valid token: {len(routes)} routes x 2, answers {dict(tried)}")


def test_a_flood_from_one_address_is_refused_politely_and_others_are_served(scaled):
    public = scaled.config.public_url
    flooder = "127.0.0.77"
    statuses = Counter()
    bodies = {}
    lock = threading.Lock()

    def hit(_):
        status, headers, body = raw(public, path="/", source=flooder, timeout=30)
        with lock:
            statuses[status] += 1
            if status == 429:
                bodies["429"] = (headers, body)

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(hit, i) for i in range(600)]
        neighbour = [raw(public, path="/", source="127.0.0.1")[0] for _ in range(5)]
        for future in futures:
            future.result()
    print(f"600 page requests from one address: {dict(statuses)}; another address meanwhile: {neighbour}")
    assert statuses[429] > 0 and not [s for s in statuses if s >= 500]
    assert set(statuses) <= {200, 429}
    headers, body = bodies["429"]
    assert headers.get("retry-after") and "try again" in json.loads(body)["error"]
    assert "0345 602 2589" in json.loads(body)["error"]
    assert neighbour == [200] * 5


def test_every_rasa_server_runs_with_telemetry_off_and_reports_healthy(scaled):
    for index in (0, 1):
        service = scaled.stack.services[f"rasa-{index + 1}"]
        environ = Path(f"/proc/{service.proc.pid}/environ").read_bytes().split(b"\0")
        assert b"RASA_TELEMETRY_ENABLED=false" in environ
        status, report = scaled.health(index)
        assert status == 200 and report["status"] == "ok", report
        components = report["components"]
        assert components["tracker_store"]["backend"].startswith("postgresql")
        assert components["lock_store"]["backend"].startswith("redis")
        assert components["action_server"]["status"] == "ok"

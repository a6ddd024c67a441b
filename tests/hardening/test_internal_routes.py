"""M2: the Rasa server answers its internal routes (REST channel, health, recent conversations,
Rasa's HTTP API) only to loopback and STAFF_NETWORKS; socket.io and the voice webhook stay
public (channels/internal_routes.py).

The decision itself is tested without a server. The server tests use a stack of their own,
because they need STAFF_NETWORKS set (the shared stacks have none) and no other stack's
settings: Rasa and the action server only, the test runner on 127.0.0.1 trusted as the proxy
(as nginx is), so X-Forwarded-For names the client each request speaks for. Addresses are
from the documentation ranges: 198.51.100.0/24 is the staff network, 203.0.113.7 an outsider.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import urllib.parse
import uuid
from types import SimpleNamespace
from typing import Dict, List, Optional, Tuple

import pytest
from sanic import Sanic
from sanic.compat import Header

from channels import internal_routes
from channels.client_address import ClientAddress, parse_networks
from channels.internal_routes import REFUSED_MESSAGE, InternalRoutes, parse_staff_networks

OUTSIDER = "203.0.113.7"
STAFF = "198.51.100.23"
STAFF_NETWORKS = "198.51.100.0/24,2001:db8:1::/48"
REST = "/webhooks/rest/webhook"
VOICE = "/webhooks/twilio_voice/webhook"
INTERNAL = [REST, "/webhooks/health/", "/webhooks/conversations/recent", "/status", "/",
            "/conversations/x/tracker", "/model/parse", "/webhooks/rest/", "/webhooks/twilio_voice/"]


# ------------------------------------------------------------------ the decision, no server
@pytest.fixture
def routes() -> InternalRoutes:
    return InternalRoutes(parse_staff_networks(STAFF_NETWORKS), ClientAddress(parse_networks("127.0.0.0/8,::1")))


@pytest.mark.parametrize("path", INTERNAL)
def test_internal_paths_answer_loopback_and_staff_only(routes, path):
    assert routes.allows(path, "127.0.0.1", None)
    assert routes.allows(path, "127.0.0.53", None)
    assert routes.allows(path, "::1", None)
    assert routes.allows(path, STAFF, None)
    assert routes.allows(path, "127.0.0.1", STAFF)  # through the proxy
    assert routes.allows(path, "2001:db8:1::5", None)
    assert routes.allows(path, f"::ffff:{STAFF}", None)  # IPv4 on an IPv6 socket
    assert not routes.allows(path, OUTSIDER, None)
    assert not routes.allows(path, "127.0.0.1", OUTSIDER)  # nginx passing a learner's request on
    assert not routes.allows(path, "2001:db8:2::5", None)
    assert not routes.allows(path, "10.0.0.8", None)  # private is not staff unless configured


@pytest.mark.parametrize("path", ["/socket.io/", "/socket.io", VOICE])
def test_public_paths_answer_anyone(routes, path):
    for peer, forwarded in [(OUTSIDER, None), ("127.0.0.1", OUTSIDER), ("not-an-address", None), (None, None)]:
        assert routes.allows(path, peer, forwarded)


def test_a_client_cannot_talk_its_way_in(routes):
    # A staff or loopback address written by the client, left of what our proxy saw.
    assert not routes.allows(REST, "127.0.0.1", f"{STAFF}, {OUTSIDER}")
    assert not routes.allows(REST, "127.0.0.1", f"127.0.0.1, {OUTSIDER}")
    # X-Forwarded-For from a peer that is not a trusted proxy is not believed at all.
    assert not routes.allows(REST, OUTSIDER, "127.0.0.1")
    assert not routes.allows(REST, OUTSIDER, STAFF)
    # An address that cannot be read is nobody's.
    assert not routes.allows(REST, "not-an-address", None)
    assert not routes.allows(REST, None, None)


@pytest.mark.parametrize("path", [
    "/socket.io/../webhooks/rest/webhook", "/socket.io/x", "/Socket.io/", "/webhooks/twilio_voice/webhook/",
    "/webhooks/twilio_voice/webhook/../../rest/webhook", "/webhooks/twilio_voice", "//socket.io/",
])
def test_only_the_exact_public_paths_are_public(routes, path):
    assert not routes.allows(path, OUTSIDER, None)


def test_without_staff_networks_only_loopback_is_let_in():
    routes = InternalRoutes(parse_staff_networks(""), ClientAddress(parse_networks(None)))
    assert routes.allows(REST, "127.0.0.1", None)
    assert not routes.allows(REST, STAFF, None)
    assert not routes.allows(REST, "127.0.0.1", STAFF)


def test_staff_networks_are_read_strictly():
    assert parse_staff_networks(None) == [] and parse_staff_networks(" , ") == []
    assert [str(n) for n in parse_staff_networks(" 10.1.0.0/16 , 192.0.2.9,2001:db8::/32 ")] == [
        "10.1.0.0/16", "192.0.2.9/32", "2001:db8::/32"]
    for bad in ("10.1.0.0/33", "staff.example", "192.0.2.300"):
        with pytest.raises(ValueError, match="STAFF_NETWORKS"):
            parse_staff_networks(bad)


def test_staff_networks_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("STAFF_NETWORKS", "192.0.2.0/28")
    routes = InternalRoutes.from_env()
    assert routes.allows(REST, "192.0.2.14", None) and not routes.allows(REST, "192.0.2.16", None)
    monkeypatch.setenv("STAFF_NETWORKS", "everyone")
    with pytest.raises(ValueError):
        InternalRoutes.from_env()


def _request(path: str, ip: str, forwarded: Optional[List[str]] = None) -> SimpleNamespace:
    headers = Header([("X-Forwarded-For", value) for value in forwarded or []])
    return SimpleNamespace(path=path, ip=ip, headers=headers)


def test_install_puts_one_check_first_and_refuses_with_json(routes):
    app = Sanic(f"plr_internal_routes_{uuid.uuid4().hex[:8]}")

    async def earlier(request):
        return None

    app.register_middleware(earlier, "request")
    assert internal_routes.install(app, routes) is routes
    assert internal_routes.install(app, InternalRoutes([], routes.addresses)) is routes  # once per app
    assert len(app.request_middleware) == 2 and app.request_middleware[1] is earlier
    check = app.request_middleware[0]

    loop = asyncio.new_event_loop()
    try:
        refused = loop.run_until_complete(check(_request(REST, "127.0.0.1", [OUTSIDER])))
        assert refused.status == 403 and json.loads(refused.body) == {"error": REFUSED_MESSAGE}
        assert loop.run_until_complete(check(_request(REST, "127.0.0.1"))) is None
        assert loop.run_until_complete(check(_request(VOICE, "127.0.0.1", [OUTSIDER]))) is None
        # A proxy that adds its own header line: that line is read too, after the client's.
        sneaky = loop.run_until_complete(check(_request(REST, "127.0.0.1", [STAFF, OUTSIDER])))
        assert sneaky is not None and sneaky.status == 403
    finally:
        loop.close()


def test_refusals_are_counted_not_logged_one_by_one(caplog):
    now = [0.0]
    log = internal_routes.RefusalLog(clock=lambda: now[0])
    with caplog.at_level("WARNING", logger="channels.internal_routes"):
        for _ in range(50):
            log.note()
        now[0] += internal_routes.LOG_INTERVAL_SECONDS
        log.note()
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "Refused 1 request(s) for internal routes from outside loopback and STAFF_NETWORKS.",
        "Refused 50 request(s) for internal routes from outside loopback and STAFF_NETWORKS.",
    ]


# ------------------------------------------------------------------ a real Rasa server
@pytest.fixture(scope="module")
def guarded(tmp_path_factory, trained_model):
    from testkit.ports import free_port
    from testkit.stack import Stack, StackConfig

    workdir = tmp_path_factory.mktemp("internal_routes")
    config = StackConfig(
        rasa_port=free_port(), action_port=free_port(), backend_port=free_port(), web_port=free_port(),
        model=trained_model, log_dir=workdir / "log", with_backend=False, with_web=False,
        extra_env={"OUTBOX_PATH": str(workdir / "outbox.sqlite3"),
                   "TRUSTED_PROXIES": "127.0.0.0/8,::1", "STAFF_NETWORKS": "198.51.100.0/24",
                   "TWILIO_PUBLIC_URL": "", "LOCK_STORE": "memory", "TRACKER_STORE": "memory"},
    )
    with Stack(config) as running:
        yield running


def call(stack, method: str, path: str, forwarded: Optional[List[str]] = None, body: Optional[bytes] = None,
         headers: Optional[Dict[str, str]] = None) -> Tuple[int, str]:
    """One request from the test runner (127.0.0.1), with any number of X-Forwarded-For lines."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.config.rasa_port, timeout=60)
    try:
        connection.putrequest(method, path)
        for value in forwarded or []:
            connection.putheader("X-Forwarded-For", value)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or b"")
        answer = connection.getresponse()
        return answer.status, answer.read().decode(errors="replace")
    finally:
        connection.close()


def rest(stack, text: str, forwarded: Optional[List[str]] = None) -> Tuple[int, str]:
    body = json.dumps({"sender": f"m2-{uuid.uuid4().hex[:10]}", "message": text}).encode()
    return call(stack, "POST", REST, forwarded, body, {"Content-Type": "application/json"})


def refused(answer: Tuple[int, str]) -> bool:
    status, body = answer
    return status == 403 and REFUSED_MESSAGE in body


@pytest.mark.stack
def test_from_loopback_the_internal_routes_work(guarded):
    status, body = rest(guarded, "what is a ULN?")
    assert status == 200 and json.loads(body), body
    token = guarded.env["RASA_API_TOKEN"]
    assert call(guarded, "GET", f"/status?token={token}")[0] == 200
    assert call(guarded, "GET", f"/webhooks/conversations/recent?limit=5&token={token}")[0] == 200
    status, body = call(guarded, "GET", "/webhooks/health/")
    assert status in (200, 503) and "components" in json.loads(body)


@pytest.mark.stack
def test_an_outsider_through_the_proxy_is_refused_on_every_internal_route(guarded):
    token = guarded.env["RASA_API_TOKEN"]
    assert refused(rest(guarded, "what is a ULN?", [OUTSIDER]))
    for path in ["/webhooks/health/", f"/webhooks/conversations/recent?limit=5&token={token}",
                 f"/status?token={token}", "/status", "/", f"/conversations/m2/tracker?token={token}"]:
        assert refused(call(guarded, "GET", path, [OUTSIDER])), path
    # Pretending to be staff, left of the address the proxy saw, or on a header line of its own.
    assert refused(rest(guarded, "what is a ULN?", [f"{STAFF}, {OUTSIDER}"]))
    assert refused(rest(guarded, "what is a ULN?", [STAFF, OUTSIDER]))
    log = (guarded.config.log_dir / "rasa.log").read_text(errors="replace")
    assert "for internal routes from outside loopback" in log and OUTSIDER not in log


@pytest.mark.stack
def test_socketio_and_the_voice_webhook_stay_public(guarded):
    from tests.hardening.sockets import Socket, run
    from tests.voice.twilio_calls import Caller

    status, body = call(guarded, "GET", "/socket.io/?EIO=4&transport=polling", [OUTSIDER])
    assert status == 200 and body.startswith("0{") and "sid" in body, (status, body[:200])

    async def chat():
        socket = await Socket(guarded, OUTSIDER).connect()
        try:
            event, token = await socket.session()
            assert event == "session_confirm", token
            return await socket.say(token, "what is a ULN?")
        finally:
            await socket.close()

    assert any(event == "bot_uttered" for event, _ in run(chat()))

    caller = Caller(guarded.config.rasa_url, guarded.env, number="+447700900391")  # synthetic
    params = caller.params("ringing")
    signature = caller.validator.compute_signature(caller.signed_url(caller.webhook), params)
    status, body = call(guarded, "POST", VOICE, [OUTSIDER], urllib.parse.urlencode(params).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    assert status == 200 and "<Response>" in body and "<Gather" in body, (status, body[:300])
    # Unsigned, it is the voice channel that refuses it, not the internal routes' check.
    assert not refused(call(guarded, "POST", VOICE, [OUTSIDER], b"CallSid=CA0",
                            {"Content-Type": "application/x-www-form-urlencoded"}))


@pytest.mark.stack
def test_an_address_in_staff_networks_is_let_in(guarded):
    status, body = rest(guarded, "what is a ULN?", [STAFF])
    assert status == 200 and json.loads(body), body
    assert call(guarded, "GET", "/webhooks/health/", [STAFF])[0] in (200, 503)
    assert refused(rest(guarded, "what is a ULN?", ["198.51.101.23"]))  # just outside

"""speedups/endpoint_json.py: Rasa's action calls post the same JSON value, encoded by ujson."""
from __future__ import annotations

import json

import ujson
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from speedups import endpoint_json
from tests.conftest import run

BODY = {"next_action": "validate_opt_out_form", "sender_id": "synthetic-1",
        "tracker": {"events": [{"event": "user", "text": "my email is a/b@example.org ü", "confidence": 0.1 + 0.2}]}}


async def post_through_rasa(endpoint_of) -> tuple:
    received = {}

    async def webhook(request: web.Request) -> web.Response:
        received["text"] = await request.text()
        received["headers"] = dict(request.headers)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        answer = await endpoint_of(f"http://127.0.0.1:{port}/webhook").request(json=BODY, method="post")
    finally:
        await runner.cleanup()
    return answer, received


def test_action_calls_send_the_same_value_with_ujson():
    def endpoint(url):
        return EndpointConfig(url, token="synthetic-token", headers={"X-Plr": "1"})

    endpoint_json.install()
    try:
        answer, received = run(post_through_rasa(endpoint))
    finally:
        endpoint_json.uninstall()
    plain_answer, plain = run(post_through_rasa(endpoint))
    assert answer == plain_answer == {"events": [], "responses": []}
    assert received["text"] == ujson.dumps(BODY) != plain["text"] == json.dumps(BODY)
    assert json.loads(received["text"]) == json.loads(plain["text"]) == BODY
    assert received["headers"]["X-Plr"] == plain["headers"]["X-Plr"] == "1"
    assert received["headers"]["Content-Type"] == plain["headers"]["Content-Type"] == "application/json"

"""The action server accepts calls only with the shared secret, in its header (never from the
query string), and never returns a tracker (personal details) in its errors."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from testkit.ports import free_port
from testkit.process import Service
from testkit.stack import ROOT, read_env_file

SECRET_NAME = "Zebedee"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    port = free_port()
    env = {**read_env_file(ROOT / ".env"), "ACTION_SERVER_TOKEN": "test-secret-token",
           "OUTBOX_PATH": str(tmp_path_factory.mktemp("outbox") / "outbox.sqlite3")}
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    service = Service("actions", [str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--port", str(port)],
                      log, env=env, cwd=ROOT)
    service.start().wait_http(f"http://127.0.0.1:{port}/health", 120)
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        service.stop()


TOKEN = {"X-PLR-Action-Token": "test-secret-token"}


def post(url, body, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


CALL = {"next_action": "action_review_request", "domain": {},
        "tracker": {"sender_id": "s", "slots": {"given_name": SECRET_NAME, "date_of_birth": "not-a-date"}}}


@pytest.mark.parametrize("query,headers", [
    ("", {}), ("", {"X-PLR-Action-Token": ""}), ("", {"X-PLR-Action-Token": "wrong"}),
    # The right secret in the query string (where proxies log it) is refused too.
    ("?token=test-secret-token", {}),
])
def test_calls_without_the_secret_are_refused(action_server, query, headers):
    url, _ = action_server
    status, body = post(f"{url}/webhook{query}", CALL, headers)
    assert status == 401 and SECRET_NAME not in body
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{url}/actions{query}", headers=headers), timeout=10)
    assert refused.value.code == 401


def test_errors_hold_no_tracker_contents(action_server):
    url, log = action_server
    status, body = post(f"{url}/webhook", CALL, TOKEN)  # an impossible date makes it fail
    assert status == 500
    assert json.loads(body) == {"error": "the action failed"}
    assert SECRET_NAME not in log.read_text()


def test_a_good_call_works(action_server):
    url, _ = action_server
    call = {"next_action": "action_review_request", "domain": {},
            "tracker": {"sender_id": "s", "slots": {"given_name": "Ann", "family_name": "Lee",
                                                    "date_of_birth": "2001-04-03", "request_type": "opt_out"}}}
    status, body = post(f"{url}/webhook", call, TOKEN)
    assert status == 200
    assert json.loads(body)["responses"][0]["response"] == "utter_review_request_opt_out"


def test_outbox_counts_are_open_and_hold_no_request(action_server):
    url, _ = action_server
    with urllib.request.urlopen(f"{url}/health/outbox", timeout=10) as answer:
        counts = json.loads(answer.read())
    assert counts == {"pending": 0, "dead_letter": 0, "oldest_waiting_seconds": None}

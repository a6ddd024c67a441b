"""The scaled-out stack for tests/scale and tests/faults (testkit/scaled.py), started once per
test run by whichever directory needs it first and stopped when the run ends.

The action servers reach the backend through a fault proxy (testkit/faultproxy.py), so tests can
make the backend refuse connections or accept them and never answer. Tests that stop a part of
the stack start it again before they finish, also when they fail; the one test that kills a
Rasa server for good runs last (marked `kills_a_server`, ordered by tests/scale/conftest.py).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import pytest

from testkit.faultproxy import FaultProxy
from testkit.limits import ONE_CLIENT_FOR_MANY_LEARNERS
from testkit.scaled import ScaledConfig, ScaledStack

_running: Dict[str, Any] = {}


@dataclass
class Answer:
    status: int
    headers: Dict[str, str]
    body: Any

    @property
    def texts(self) -> str:
        if not isinstance(self.body, list):
            return ""
        return "\n".join(m.get("text", "") for m in self.body if isinstance(m, dict) and m.get("text"))


def http(url: str, data: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
         method: Optional[str] = None, timeout: float = 60.0) -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Scaled:
    def __init__(self, stack: ScaledStack, proxy: FaultProxy) -> None:
        self.stack = stack
        self.proxy = proxy

    @property
    def config(self) -> ScaledConfig:
        return self.stack.config

    @property
    def env(self) -> Dict[str, str]:
        return self.stack.env

    @property
    def token(self) -> str:
        return self.stack.env["RASA_API_TOKEN"]

    def rasa_url(self, index: int) -> str:
        return self.config.rasa_urls[index]

    def say(self, index: int, sender: str, text: str, timeout: float = 60.0) -> Answer:
        """One REST message to Rasa server `index` (0 or 1)."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        status, headers, raw = http(f"{self.rasa_url(index)}/webhooks/rest/webhook", body,
                                    {"Content-Type": "application/json"}, timeout=timeout)
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        return Answer(status, headers, parsed)

    def chat(self, index: int, sender: str, text: str) -> str:
        """A message that must be answered normally; returns the reply's text."""
        answer = self.say(index, sender, text)
        assert answer.status == 200 and "X-PLR-Turn" not in answer.headers, (text, answer)
        assert answer.texts, f"no reply to {text!r}: {answer}"
        return answer.texts

    def tracker(self, index: int, sender: str) -> Dict[str, Any]:
        status, _, raw = http(f"{self.rasa_url(index)}/conversations/{sender}/tracker?token={self.token}")
        assert status == 200, (status, raw[:200])
        return json.loads(raw)

    def health(self, index: int) -> Tuple[int, Dict[str, Any]]:
        status, _, raw = http(f"{self.rasa_url(index)}/webhooks/health/", timeout=30)
        return status, json.loads(raw)

    def requests_for(self, conversation_id: str) -> List[Dict[str, Any]]:
        """Every request the backend holds for one conversation (staff API, all pages)."""
        items, cursor = [], None
        while True:
            url = f"{self.config.backend_url}/v1/requests?limit=200" + (f"&cursor={cursor}" if cursor else "")
            status, _, raw = http(url, headers={"Authorization": f"Bearer {self.env['STAFF_API_KEY']}"})
            assert status == 200, (status, raw[:200])
            page = json.loads(raw)
            items += [item for item in page["items"] if item["conversation_id"] == conversation_id]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def staff_get(self, reference: str) -> Dict[str, Any]:
        status, _, raw = http(f"{self.config.backend_url}/v1/requests/{reference}",
                              headers={"Authorization": f"Bearer {self.env['STAFF_API_KEY']}"})
        assert status == 200, (status, raw[:200])
        return json.loads(raw)

    def alive(self) -> List[str]:
        return [name for name, service in self.stack.services.items() if service.alive()]


@pytest.fixture(scope="session")
def scaled(request, tmp_path_factory, trained_model) -> Scaled:
    if "error" in _running:
        pytest.fail(f"the scaled stack did not start: {_running['error']}")
    if "scaled" not in _running:
        config = ScaledConfig(work_dir=tmp_path_factory.mktemp("scaled"), model=trained_model,
                              extra_env={"OUTBOX_RETRY_SECONDS": "2", "TRACKER_RETENTION_SWEEP_SECONDS": "2",
                                         # Most tests' learners share 127.0.0.1 (testkit/limits.py).
                                         **ONE_CLIENT_FOR_MANY_LEARNERS})
        proxy = FaultProxy(("127.0.0.1", config.backend_lb_port))
        config.actions_backend_url = proxy.url
        stack = ScaledStack(config)
        try:
            stack.start()
        except BaseException as exc:
            proxy.close()
            _running["error"] = str(exc)[:2000]
            raise
        _running["scaled"] = Scaled(stack, proxy)

        def stop() -> None:
            running = _running.pop("scaled")
            running.stack.stop()
            running.proxy.close()

        request.config.add_cleanup(stop)
    return _running["scaled"]

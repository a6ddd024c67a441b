"""The web chat's page server (webchat/server.py), run as a real process on a free port."""
from __future__ import annotations

import http.client
import json
import re
import sys
from pathlib import Path

import pytest

from testkit.ports import free_port
from testkit.process import Service, running

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT = 45999


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    if not (ROOT / "webchat" / "build" / "app.css").exists():
        pytest.fail("The web chat is not built: run scripts/setup_webchat.sh (make setup does).")
    port = free_port()
    env = {"RASA_PORT": str(RASA_PORT), "HELPDESK_PHONE": "0345 602 2589", "HELPDESK_HOURS": "",
           "WEB_SOCKET_URL": ""}
    service = Service("web", [sys.executable, str(ROOT / "webchat" / "server.py"), "--port", str(port)],
                      tmp_path_factory.mktemp("web") / "web.log", env=env, cwd=ROOT)
    with running(service, f"http://127.0.0.1:{port}/healthz", timeout=30):
        yield port


def get(port: int, path: str, method: str = "GET", host: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host} if host is not None else {}
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_page_without_crown_with_helpdesk_and_strict_headers(web):
    status, headers, body = get(web, "/", host=f"localhost:{web}")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "0345 602 2589" in page and 'href="tel:03456022589"' in page
    assert "{{" not in page, "every placeholder is filled"
    assert "crown" not in page.lower() and "govuk-logo" not in page and "govuk-header__logotype" not in page
    assert 'lang="en"' in page
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert f"http://localhost:{RASA_PORT}" in csp and f"ws://localhost:{RASA_PORT}" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_config_points_the_socket_at_rasa_on_the_pages_host(web):
    for host in (f"localhost:{web}", f"127.0.0.1:{web}"):
        status, headers, body = get(web, "/config.js", host=host)
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        config = json.loads(re.search(r"Object\.freeze\((.*)\);", body.decode()).group(1))
        assert config["socketUrl"] == f"http://{host.split(':')[0]}:{RASA_PORT}"
        assert config["helpdeskPhone"] == "0345 602 2589"


def test_assets_come_from_node_modules_and_the_build(web):
    for path, kind in [("/css/app.css", "text/css"), ("/js/main.js", "text/javascript"),
                       ("/vendor/socket.io.esm.min.js", "text/javascript")]:
        status, headers, body = get(web, path)
        assert status == 200 and headers["Content-Type"].startswith(kind), path
        assert body
    status, _, css = get(web, "/css/app.css")
    assert b"GDS Transport" not in css, "the GOV.UK typeface is only for GOV.UK services"


@pytest.mark.parametrize("path", [
    "/js/../server.py", "/js/..%2fserver.py", "/css/../../.env", "/js/", "/govuk/assets/../../package.json",
    "/node_modules/govuk-frontend/package.json", "/server.py", "/.env", "/js/.hidden",
])
def test_nothing_outside_the_served_folders(web, path):
    status, _, body = get(web, path)
    assert status == 404, (path, body[:80])


def test_only_get_and_head(web):
    assert get(web, "/", method="POST")[0] == 405
    status, _, body = get(web, "/", method="HEAD", host=f"localhost:{web}")
    assert status == 200 and body == b""


def test_a_malformed_host_header_is_refused(web):
    status, _, body = get(web, "/", host="evil.example/<script>")
    assert status == 400 and b"Host" in body

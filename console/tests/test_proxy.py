"""The web page's server passes /staff/ to the console: methods, paths, bodies, cookies and the
console's answers (Set-Cookie, redirects, security headers) both ways; no query string in its log.
Both run as real processes on free ports, the console with only the keys the stack gives it."""
from __future__ import annotations

import os
import sys

import httpx
import pytest

from conftest import ADMIN, ADMIN_PASSWORD, ROOT, csrf_of
from testkit.ports import free_port
from testkit.process import Service


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("proxy")
    console_port, web_port = free_port(), free_port()
    console_env = {"PLR_ENV_FILE": os.devnull, "STAFF_API_KEY": "k" * 32, "RASA_API_TOKEN": "t" * 32,
                   "CONSOLE_SECRET": "s" * 32, "STAFF_ADMIN_USER": ADMIN, "STAFF_ADMIN_PASSWORD": ADMIN_PASSWORD,
                   "CONSOLE_DB": str(workdir / "console.db"), "BACKEND_URL": "http://127.0.0.1:9",
                   "RASA_URL": "http://127.0.0.1:9"}
    console = Service("console", [sys.executable, "-m", "plr_console", "serve", "--port", str(console_port)],
                      workdir / "console.log", env=console_env, cwd=ROOT)
    web = Service("web", [sys.executable, str(ROOT / "webchat" / "server.py"), "--port", str(web_port)],
                  workdir / "web.log", env={"CONSOLE_PORT": str(console_port)}, cwd=ROOT)
    console.start().wait_http(f"http://127.0.0.1:{console_port}/healthz", 60)
    web.start().wait_http(f"http://127.0.0.1:{web_port}/healthz", 60)
    try:
        yield f"http://localhost:{web_port}", web, console_port
    finally:
        web.stop()
        console.stop()


def test_sign_in_and_out_through_the_web_server(proxied):
    url, web, _ = proxied
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        assert client.get("/staff").headers["location"] == "/staff/"
        first = client.get("/staff/")
        assert first.status_code == 303 and first.headers["location"] == "/staff/sign-in"
        page = client.get("/staff/sign-in?reason=idle")
        assert page.status_code == 200 and "30 minutes" in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        signed = client.post("/staff/sign-in", data={"username": ADMIN, "password": ADMIN_PASSWORD,
                                                     "csrf_token": csrf_of(page)})
        assert signed.status_code == 303
        cookies = signed.headers.get_list("set-cookie")
        assert any(c.startswith("plr_console_session=") and "HttpOnly" in c for c in cookies)
        assert any(c.startswith("plr_console_csrf=") for c in cookies)
        home = client.get("/staff/")
        assert home.status_code == 200 and f"Signed in as <strong>{ADMIN}</strong>" in home.text
        css = client.get("/staff/static/govuk.css")
        assert css.status_code == 200 and "url(/staff/assets/fonts/" in css.text
        assert client.get("/staff/assets/fonts/bold-b542beb274-v2.woff2").status_code == 200
        out = client.post("/staff/sign-out", data={"csrf_token": csrf_of(home)})
        assert out.status_code == 303 and client.get("/staff/").status_code == 303
    log = web.log_path.read_text()
    assert "/staff/sign-in" in log and "reason=idle" not in log and ADMIN_PASSWORD not in log


def test_other_paths_still_refuse_posts(proxied):
    url, _, _ = proxied
    assert httpx.post(url + "/", data={"a": "b"}).status_code == 405
    assert httpx.post(url + "/staffing", data={}).status_code == 405


def test_large_bodies_are_refused(proxied):
    url, _, _ = proxied
    assert httpx.post(url + "/staff/sign-in", content=b"x" * (65 * 1024)).status_code == 413


def test_cookies_are_secure_behind_a_tls_proxy(proxied):
    # nginx in front (make run-scaled) says X-Forwarded-Proto: https from loopback, which uvicorn
    # believes; the console then marks its cookies Secure.
    _, _, console_port = proxied
    page = httpx.get(f"http://127.0.0.1:{console_port}/staff/sign-in", headers={"X-Forwarded-Proto": "https"})
    csrf = next(c for c in page.headers.get_list("set-cookie") if c.startswith("plr_console_csrf="))
    assert "secure" in csrf.lower().split("; ")
    plain = httpx.get(f"http://127.0.0.1:{console_port}/staff/sign-in")
    csrf = next(c for c in plain.headers.get_list("set-cookie") if c.startswith("plr_console_csrf="))
    assert "secure" not in csrf.lower().split("; ")

"""The console at /staff/ behind nginx, as `make run-scaled` serves it: Debian's nginx with the
project's own deploy/nginx.conf.template (rendered by testkit/nginx.py on free loopback ports)
in front of a real console process. Sign-in through the proxy, the cookie flags, and no key or
token in any page; then the same template with TLS at nginx, where the cookies must be Secure."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ADMIN, ADMIN_PASSWORD, ROOT, csrf_of
from testkit import nginx
from testkit.ports import free_port
from testkit.process import Service, http_ok

# Distinctive values, so finding one in a page cannot be a coincidence.
KEYS = {"STAFF_API_KEY": "staffkey-" + secrets.token_hex(16), "RASA_API_TOKEN": "rasatoken-" + secrets.token_hex(16),
        "CONSOLE_SECRET": "consolesecret-" + secrets.token_hex(16)}
PAGES = ["/staff/", "/staff/requests", "/staff/requests?status=received", "/staff/dead-letters", "/staff/try",
         "/staff/tests", "/staff/conversations", "/staff/accounts", f"/staff/accounts/{ADMIN}",
         "/staff/change-password"]


def _values(run_dir: Path, public_port: int, console_port: int) -> dict:
    # Nothing listens behind the other upstreams: only /staff/ is exercised here.
    unused = {name: free_port() for name in ("RASA_1", "RASA_2", "ACTION_1", "ACTION_2", "ACTIONS_LB_PORT",
                                             "BACKEND_PORT", "BACKEND_LB_PORT", "WEB_PORT")}
    return {**unused, "LOG_DIR": run_dir, "BIND_HOST": "127.0.0.1", "PUBLIC_PORT": public_port,
            "CONSOLE_PORT": console_port, "WEB_RATE": "20r/s", "WEB_BURST": 200, "VOICE_RATE": "20r/s",
            "VOICE_BURST": 100, "BACKEND_RATE": "50r/s", "BACKEND_BURST": 200, "CONN_PER_ADDRESS": 300,
            "HELPDESK_PHONE": "0345 602 2589"}


def _with_tls(run_dir: Path, config: Path, public_port: int) -> None:
    """The public listener with TLS, as a deployment that ends TLS at this nginx would have it."""
    cert, key = run_dir / "cert.pem", run_dir / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    text = config.read_text()
    listen = f"listen 127.0.0.1:{public_port};"
    assert text.count(listen) == 1, "the template's public listener moved; update this test"
    config.write_text(text.replace(listen, f"listen 127.0.0.1:{public_port} ssl;\n        "
                                           f"ssl_certificate {cert};\n        ssl_certificate_key {key};"))
    check = subprocess.run([nginx.binary(), "-t", "-p", str(run_dir), "-c", str(config), "-e",
                            str(run_dir / "startup.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.fixture(scope="module")
def console_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("console-behind-nginx")


@pytest.fixture(scope="module")
def console_port(console_workdir):
    workdir = console_workdir
    port = free_port()
    env = {"PLR_ENV_FILE": os.devnull, **KEYS, "STAFF_ADMIN_USER": ADMIN, "STAFF_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "CONSOLE_DB": str(workdir / "console.db"), "CONSOLE_RUNS_DIR": str(workdir / "runs"),
           "BACKEND_URL": "http://127.0.0.1:9", "RASA_URL": "http://127.0.0.1:9", "PATH": "/usr/bin:/bin"}
    console = Service("console", [sys.executable, "-m", "plr_console", "serve", "--port", str(port)],
                      workdir / "console.log", env=env, cwd=ROOT, inherit_env=False)
    console.start().wait_http(f"http://127.0.0.1:{port}/healthz", 60)
    try:
        yield port
    finally:
        console.stop()


def _nginx(tmp_path_factory, console_port: int, tls: bool):
    run_dir = tmp_path_factory.mktemp("nginx-tls" if tls else "nginx")
    public_port = free_port()
    config = nginx.prepare(run_dir, _values(run_dir, public_port, console_port))
    if tls:
        _with_tls(run_dir, config, public_port)
    service = nginx.nginx_service(run_dir, config, run_dir / "nginx.log")
    service.start()
    url = f"{'https' if tls else 'http'}://localhost:{public_port}"
    service.wait_until(lambda: _answers(url), 30)
    return service, url, run_dir


def _answers(url: str) -> bool:
    if url.startswith("http:"):
        return http_ok(url + "/staff/sign-in")
    try:
        return httpx.get(url + "/staff/sign-in", verify=False, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory, console_port):
    service, url, run_dir = _nginx(tmp_path_factory, console_port, tls=False)
    try:
        yield url, run_dir
    finally:
        service.stop()


@pytest.fixture(scope="module")
def behind_nginx_tls(tmp_path_factory, console_port):
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make the test certificate")
    service, url, run_dir = _nginx(tmp_path_factory, console_port, tls=True)
    try:
        yield url
    finally:
        service.stop()


def _session_cookie(response) -> list[str]:
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("plr_console_session="))
    return [part.strip().lower() for part in cookie.split(";")]


def _sign_in(client: httpx.Client) -> httpx.Response:
    page = client.get("/staff/sign-in")
    assert page.status_code == 200
    return client.post("/staff/sign-in", data={"username": ADMIN, "password": ADMIN_PASSWORD,
                                               "csrf_token": csrf_of(page)})


def test_staff_is_routed_to_the_console_and_sign_in_works(behind_nginx):
    url, run_dir = behind_nginx
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        bare = client.get("/staff")
        assert bare.status_code == 308 and bare.headers["location"].endswith("/staff/")
        first = client.get("/staff/")
        assert first.status_code == 303 and first.headers["location"] == "/staff/sign-in"
        assert client.get("/staff/requests").headers["location"] == "/staff/sign-in"
        signed = _sign_in(client)
        assert signed.status_code == 303 and signed.headers["location"] == "/staff/"
        flags = _session_cookie(signed)
        assert "httponly" in flags and "samesite=strict" in flags and "path=/staff" in flags
        assert "secure" not in flags  # plain HTTP: a Secure cookie would never come back
        home = client.get("/staff/")
        assert home.status_code == 200 and f"Signed in as <strong>{ADMIN}</strong>" in home.text
        assert "default-src 'none'" in home.headers["content-security-policy"]
        assert client.get("/staff/accounts").status_code == 200
    # nginx writes the access line after it has sent the answer: on a busy machine, a moment later.
    deadline = time.monotonic() + 10
    while '"GET /staff/accounts" 200' not in (access := (run_dir / "nginx-access.log").read_text()):
        assert time.monotonic() < deadline, access
        time.sleep(0.1)
    assert ADMIN_PASSWORD not in access


def test_a_client_cannot_claim_https_through_nginx(behind_nginx):
    # nginx sets X-Forwarded-Proto from its own scheme, so a client's header is not believed.
    url, _ = behind_nginx
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30,
                      headers={"X-Forwarded-Proto": "https"}) as client:
        assert "secure" not in _session_cookie(_sign_in(client))


def test_no_key_or_token_reaches_any_page(behind_nginx, console_workdir):
    url, _ = behind_nginx
    # A finished run with a failed conversation, stored as the console's runner stores one.
    run = console_workdir / "runs" / "1900000000-0c0ffe"
    run.mkdir(parents=True, exist_ok=True)
    (run / "meta.json").write_text(json.dumps({"state": "finished", "user": ADMIN, "filter": "", "exit_code": 1}))
    (run / "report.json").write_text(json.dumps({
        "summary": {"passed": 0, "failed": 1, "skipped": 0, "total": 1, "broken": 0, "seconds": 1.0},
        "broken_files": [], "cases": [{"file": "90_synthetic.yml", "name": "Synthetic", "status": "failed",
                                       "failed_step": "step 3 (user: hello)", "failure": "expected utter_greet",
                                       "sender": "conv-90-12345678", "turns": [
                                           {"user": "hello", "intent": "greet", "responses": ["utter_goodbye"],
                                            "replies": [{"text": "Bye", "buttons": []}],
                                            "failures": ["expected utter_greet"]}]}]}))
    (run / "output.txt").write_text("1 failed\n")
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        seen = [client.get("/staff/sign-in")]
        _sign_in(client)
        # The admin's own try, whose tracker the console asks Rasa for (here nothing answers, so
        # the page carries the console's error message, which must not carry the token either).
        extra = [f"/staff/try?c=console-{ADMIN}-0badcafe", "/staff/tests/runs/1900000000-0c0ffe"]
        for page in PAGES + extra:
            response = client.get(page)
            assert response.status_code in (200, 502), (page, response.status_code)
            seen.append(response)
        assert "conv-90-12345678" in seen[-1].text and "learner&gt; hello" in seen[-1].text
        assert f"console-{ADMIN}-0badcafe" in seen[-2].text
        for response in seen:
            everything = response.text + repr(dict(response.headers))
            for name, value in KEYS.items():
                assert value not in everything, (name, str(response.url))
            assert not re.search(r"Bearer\s+\S", everything), str(response.url)


def test_cookies_are_secure_when_nginx_ends_tls(behind_nginx_tls):
    with httpx.Client(base_url=behind_nginx_tls, follow_redirects=False, timeout=30, verify=False) as client:
        page = client.get("/staff/sign-in")
        csrf = next(c for c in page.headers.get_list("set-cookie") if c.startswith("plr_console_csrf="))
        assert "secure" in [p.strip().lower() for p in csrf.split(";")]
        signed = _sign_in(client)
        assert signed.status_code == 303
        flags = _session_cookie(signed)
        assert {"secure", "httponly", "samesite=strict", "path=/staff"} <= set(flags)
        assert client.get("/staff/").status_code == 200

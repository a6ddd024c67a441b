"""M5, L9, L11: each service holds only its own secrets, in its environment and on its command
line, read from /proc as another local process could; Rasa's API token is not on a command
line and is still checked; the action server takes its token only from a header."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List

import pytest

from testkit.service_env import SECRET_KEYS, SECRETS_FOR
from testkit.stack import ROOT

pytestmark = pytest.mark.stack


def tree(pid: int) -> List[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                stack += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
    return pids


def environ(pid: int) -> Dict[str, str]:
    items = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in items if b"=" in item)


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def test_each_service_holds_only_its_own_secrets(limited):
    secrets = {key: limited.env[key] for key in SECRET_KEYS if len(limited.env.get(key) or "") >= 8}
    assert {"BACKEND_ENCRYPTION_KEY", "STAFF_API_KEY", "RASA_API_TOKEN", "ACTIONS_API_KEY"} <= set(secrets)
    checked = set()
    for name, service in limited.services.items():
        kind = name.split("-")[0]
        for pid in tree(service.proc.pid):
            try:
                env, argv = environ(pid), cmdline(pid)
            except OSError:
                continue  # a short-lived child (make's shell) already gone
            held = {key for key, value in secrets.items() if value in "\0".join(f"{k}={v}" for k, v in env.items())}
            assert held <= SECRETS_FOR[kind], (name, sorted(held - SECRETS_FOR[kind]))
            on_argv = {key for key, value in secrets.items() if value in argv}
            assert not on_argv, (name, sorted(on_argv))
            assert env.get("PLR_ENV_FILE") == os.devnull, name  # nobody reads the whole .env
            checked.add(kind)
    assert checked == {"backend", "actions", "rasa", "web"}
    # What the issue names, spelt out.
    rasa = SECRETS_FOR["rasa"]
    assert not rasa & {"BACKEND_ENCRYPTION_KEY", "BACKEND_HASH_KEY", "STAFF_API_KEY", "ACTIONS_API_KEY",
                       "OUTBOX_ENCRYPTION_KEY"}
    assert not SECRETS_FOR["actions"] & {"RASA_API_TOKEN", "TWILIO_AUTH_TOKEN", "BACKEND_ENCRYPTION_KEY",
                                         "BACKEND_HASH_KEY", "STAFF_API_KEY"}
    assert not SECRETS_FOR["web"]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_rasa_api_token_is_checked_without_being_on_the_command_line(limited):
    base, token = limited.config.rasa_url, limited.env["RASA_API_TOKEN"]
    assert get(f"{base}/status?token={token}")[0] == 200
    for wrong in ("", "wrong", token[:-1], token + "x"):
        assert get(f"{base}/status?token={wrong}")[0] == 401
    assert get(f"{base}/status")[0] == 401


def test_the_token_comparison_is_constant_time_and_equal_only_to_itself():
    from scripts.rasa_server import ConstantTimeToken

    token = ConstantTimeToken("synthetic-token")
    # Rasa writes `provided == token`: the subclass's __eq__ runs first, with compare_digest.
    assert "synthetic-token" == token and token == "synthetic-token"
    assert "synthetic-tokem" != token and None != token and not ("" == token)  # noqa: E711
    assert "synthetic-token" not in repr(token)


def test_the_launcher_refuses_a_token_on_the_command_line():
    done = subprocess.run([str(ROOT / ".venv/bin/python"), str(ROOT / "scripts" / "rasa_server.py"),
                           "--enable-api", "--auth-token", "synthetic"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "RASA_API_TOKEN": "synthetic"})
    assert done.returncode != 0 and "not on the command line" in done.stderr


def test_the_action_server_gets_its_token_in_a_header(limited):
    """A form turn calls the action server, which accepts the token only as a header: the turn
    works, and the token is in no URL Rasa sent."""
    from tests.hardening.conftest import rest

    status, head, body, _ = rest(limited, "privilege-form-1", "I want to opt out", "192.0.2.95")
    assert status == 200 and body and "X-PLR-Turn" not in head, (status, head, body)
    token = limited.env["ACTION_SERVER_TOKEN"]
    for name in ("rasa.log", "actions.log"):
        assert token not in (limited.config.log_dir / name).read_text(errors="replace")


def test_env_file_is_created_private(tmp_path):
    (tmp_path / ".env.example").write_text("A_KEY=__secret__\n")
    old = os.umask(0o022)
    try:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_env.py"), str(tmp_path)], check=True,
                       capture_output=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600

"""`make run`'s stack runner brings every service up, the trained model answers over REST,
and one Ctrl-C (SIGINT) stops every process it started."""
import os
import signal
import socket
import subprocess
import time
import urllib.request

from testkit.ports import free_port
from tests.chat import new_sender, send, texts
from tests.conftest import ROOT


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_answers_hello_and_ctrl_c_stops_everything(tmp_path, trained_model):
    ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT", "WEB_PORT", "CONSOLE_PORT")}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "DATABASE_URL": f"sqlite:///{tmp_path / 'backend.db'}",
           "OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"), "CONSOLE_DB": str(tmp_path / "console.db")}
    log = open(tmp_path / "run.log", "w+")
    proc = subprocess.Popen([str(ROOT / ".venv/bin/python"), "scripts/run_stack.py"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while "Press Ctrl-C" not in (tmp_path / "run.log").read_text():
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, "stack did not come up"
            time.sleep(0.5)
        output = (tmp_path / "run.log").read_text()
        assert f"http://localhost:{ports['WEB_PORT']}/" in output
        assert f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook" in output
        assert f"http://localhost:{ports['WEB_PORT']}/staff/" in output
        with urllib.request.urlopen(f"http://localhost:{ports['WEB_PORT']}/staff/sign-in", timeout=10) as page:
            assert page.status == 200 and b"Sign in" in page.read()  # the console, through the web page

        replies = send(f"http://127.0.0.1:{ports['RASA_PORT']}", new_sender(), "hello")
        assert "Learning Records Service assistant" in texts(replies)
        assert any(r.get("buttons") for r in replies), "the greeting offers a menu"

        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends to the runner
        assert proc.wait(timeout=60) == 0
        for name, port in ports.items():
            assert not port_open(port), f"{name} {port} still open after Ctrl-C"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()

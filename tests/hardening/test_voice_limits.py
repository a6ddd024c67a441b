"""The telephone line: new calls per caller, replayed requests, CallSids out of the logs, and
no plain http beyond loopback (L1, L12, H3). Against the limited stack (3 new calls per caller
at once, then one every two minutes)."""
from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest

from testkit.ports import free_port
from testkit.stack import ROOT
from tests.voice.twilio_calls import Caller

pytestmark = pytest.mark.stack


def user_turns(stack, call_sid):
    token = stack.env["RASA_API_TOKEN"]
    with urllib.request.urlopen(f"{stack.config.rasa_url}/conversations/{call_sid}/tracker?token={token}",
                                timeout=30) as response:
        return [e for e in json.loads(response.read())["events"] if e["event"] == "user"]


def test_one_caller_gets_a_few_new_calls_and_another_caller_is_unaffected(limited):
    number = "+447700900301"  # synthetic
    replies = [Caller(limited.config.rasa_url, limited.env, number=number).ring() for _ in range(5)]
    assert all(reply.gather is not None for reply in replies[:3])
    for reply in replies[3:]:
        assert reply.hangup and reply.gather is None
        assert "cannot take another call from your number" in reply.text
    other = Caller(limited.config.rasa_url, limited.env, number="+447700900302").ring()
    assert other.gather is not None
    # The number is neither stored nor logged, not even hashed.
    log = (limited.config.log_dir / "rasa.log").read_text(errors="replace")
    assert number not in log and number.lstrip("+") not in log


def test_a_replayed_request_gets_the_same_answer_and_no_second_turn(limited):
    caller = Caller(limited.config.rasa_url, limited.env, number="+447700900303")
    caller.ring()
    url = caller.next_url
    params = caller.params("in-progress", SpeechResult="what is a ULN", Confidence="0.9")
    first = caller.post(url, params, idempotency_token="idem-1")
    again = caller.post(url, params, idempotency_token="idem-1")
    assert again.body == first.body
    assert len(user_turns(limited, caller.call_sid)) == 2  # the greeting's and this one

    # Without Twilio's header: the same signed request (URL, body and signature) is the key.
    params = caller.params("in-progress", SpeechResult="what is a PLR", Confidence="0.9")
    first = caller.post(url, params, idempotency_token=None)
    again = caller.post(url, params, idempotency_token=None)
    assert again.body == first.body
    assert len(user_turns(limited, caller.call_sid)) == 3

    # Twilio's next request (a new token) is a new turn, even with the same words.
    caller.post(url, params)
    assert len(user_turns(limited, caller.call_sid)) == 4


def test_call_sids_are_logged_only_as_keyed_hashes(limited):
    caller = Caller(limited.config.rasa_url, limited.env, number="+447700900304")
    caller.ring()
    caller.say("what is a ULN")
    caller.hang_up()
    log = (limited.config.log_dir / "rasa.log").read_text(errors="replace")
    assert "Voice call" in log  # the call's lines are there ...
    assert caller.call_sid not in log and caller.call_sid.lower() not in log  # ... without its CallSid


@pytest.mark.parametrize("public_url,allow,refused", [
    ("http://voice.example.org", "", True),
    ("", "", True),
    ("http://voice.example.org", "1", False),
    ("https://voice.example.org", "", False),
])
def test_plain_http_beyond_loopback_is_refused(public_url, allow, refused):
    from rasa.shared.exceptions import InvalidConfigException

    from channels.twilio_voice import check_transport, public_webhook_url

    env = {"TWILIO_ALLOW_HTTP": allow}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        url = public_webhook_url(public_url)
        if refused:
            with pytest.raises(InvalidConfigException, match="TWILIO_PUBLIC_URL"):
                check_transport(url, "0.0.0.0", tls=False)
        else:
            check_transport(url, "0.0.0.0", tls=False)
        check_transport(url, "127.0.0.1", tls=False)  # loopback: always allowed


def test_rasa_refuses_to_start_on_a_public_address_with_an_http_twilio_url(limited, tmp_path):
    """The real server, started as the stack starts it: it stops with a clear error before it
    loads the model (the channel's check runs first)."""
    env = limited.service_env("rasa")
    env.update({"TWILIO_PUBLIC_URL": "http://voice.example.org", "TWILIO_ALLOW_HTTP": ""})
    argv = [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts" / "rasa_server.py"),
            "--model", str(limited.config.model), "--interface", "0.0.0.0", "--port", str(free_port()),
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--enable-api"]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "TWILIO_PUBLIC_URL" in output and "plain http" in output, output[-2000:]

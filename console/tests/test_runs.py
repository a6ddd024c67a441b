"""A test run's page shows a failing conversation's transcript. The run is stored as the console's
Runner stores one (meta.json) with the report scripts/conversations.py writes (its own write_json,
Outcome and check_turn): no Rasa is needed, and the record has the runner's real shape. The
browser test runs a real, passing conversation against a whole stack."""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

from conftest import ROOT, post_form, sign_in
from plr_console.testruns import Run, Runner

RUN_ID = "1900000000-abc123"


def _runner_module():
    # The runner is a script, not a package: loaded by path, under a name of its own.
    spec = importlib.util.spec_from_file_location("plr_conversations_script", ROOT / "scripts" / "conversations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def store_failed_run(runner: Runner) -> None:
    script = _runner_module()
    from stafftools.cases import Case, Expect, Step
    from stafftools.checks import Turn, check_turn

    step = Step("user", "I want to opt out", Expect(responses=["utter_goodbye"]), line=7)
    turn = Turn(user="I want to opt out", replies=[{"text": "Shall we start? (synthetic reply)"}], seconds=0.2,
                responses=["utter_request_consent_opt_out"], intent="request_opt_out")
    turn.failures = check_turn(turn, step.expect, set())
    assert turn.failures, "the expectation was meant not to hold"
    case = Case(path=Path("90_synthetic_cannot_pass.yml"), name="A goodbye that never comes", steps=[step])
    failed = script.Outcome(case, "failed", seconds=0.4, turns=[turn], failure="; ".join(turn.failures),
                            failed_step=f"step {step.line} ({step.describe()})", sender="conv-90-0badc0de")
    passed = script.Outcome(Case(path=Path("01_synthetic.yml"), name="Says hello", steps=[]), "passed", seconds=0.1)
    run = Run(RUN_ID, runner.dir / RUN_ID)
    run.path.mkdir(parents=True)
    runner._write_meta(run, {"state": "finished", "user": "case.test", "filter": "", "started": time.time(),
                             "exit_code": 1, "finished": time.time()})
    script.write_json(run.path / "report.json", [passed, failed], [], 0.5, "http://127.0.0.1:9")
    (run.path / "output.txt").write_text("--- FAILED: A goodbye that never comes\n1 passed, 1 failed\n")


def test_a_failed_conversations_transcript_is_on_the_run_page(app, client):
    store_failed_run(app.state.runner)
    sign_in(client, "case.test")
    page = client.get(f"/staff/tests/runs/{RUN_ID}")
    assert page.status_code == 200
    text = page.text
    assert "1 passed, 1 failed, 0 skipped" in text
    assert "Failed: A goodbye that never comes (90_synthetic_cannot_pass.yml)" in text
    assert "At step 7 (user: I want to opt out):" in text and "utter_goodbye" in text
    assert "learner&gt; I want to opt out   (NLU: request_opt_out)" in text
    assert "[utter_request_consent_opt_out] Shall we start? (synthetic reply)" in text
    assert "!! " in text
    assert 'href="/staff/conversations?c=conv-90-0badc0de"' in text  # a caseworker may read it
    assert "The runner&#39;s output" in text or "The runner's output" in text
    listed = client.get("/staff/tests").text
    assert "1 passed, 1 failed, 0 skipped" in listed


def test_a_viewer_sees_the_failure_but_no_link_to_the_conversation(app, client):
    store_failed_run(app.state.runner)
    sign_in(client, "viewer.test")
    page = client.get(f"/staff/tests/runs/{RUN_ID}").text
    assert "Failed: A goodbye that never comes" in page
    assert "conversations?c=" not in page


def test_an_unknown_or_malformed_run_is_404(client):
    sign_in(client)
    assert client.get("/staff/tests/runs/1900000000-ffffff").status_code == 404
    assert client.get("/staff/tests/runs/..%2F..%2Fetc").status_code == 404


def test_a_refused_run_shows_the_page_again_with_the_same_results(app, client):
    reports = app.state.settings.reports_dir
    reports.mkdir(parents=True)
    (reports / "webchat-desktop.png").write_bytes(b"\x89PNG synthetic screenshot")
    sign_in(client, "case.test")
    refused = post_form(client, "/staff/tests", "/staff/tests/run", {"filter": "no;shell"})
    assert refused.status_code == 400
    assert "The filter may use letters, digits, spaces" in refused.text
    assert "No results yet: <code>make bench</code> writes them." in refused.text
    assert "webchat-desktop" not in refused.text
    assert app.state.runner.recent() == []

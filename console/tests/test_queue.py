"""The request queue and the audit of views against a real backend (its own venv, a fresh
SQLite file), started as tests/integration/conftest.py does. Synthetic learners only."""
from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.request
import uuid

import pytest
from fastapi.testclient import TestClient

from conftest import make_settings, post_form, sign_in
from plr_console.app import create_app
from testkit.ports import free_port
from testkit.process import Service
from testkit.stack import ROOT, read_env_file

LEARNERS = [
    {"type": "opt_out", "given_name": "Jane", "family_name": "Testlearner-Smith", "date_of_birth": "2001-03-12",
     "postcode": "SW1A 1AA", "uln": "1748529632", "channel": "web"},
    {"type": "opt_in", "given_name": "Rhys", "family_name": "Synthjones", "date_of_birth": "1999-07-01",
     "postcode": "CF10 1AA", "channel": "voice"},
    {"type": "opt_out", "given_name": "Amira", "family_name": "Synthkhan", "date_of_birth": "2004-11-30",
     "postcode": "M1 1AE", "channel": "other"},
    {"type": "opt_out", "given_name": "Mali", "family_name": "Synthprys", "date_of_birth": "2003-05-20",
     "postcode": "LL55 1AA", "channel": "web", "language": "cy"},
]
WELSH = 3  # LEARNERS[3] wrote in Welsh; the others sent no language, so English


class RealBackend:
    def __init__(self, workdir) -> None:
        self.port = free_port()
        self.env = {**read_env_file(ROOT / ".env"), "BACKEND_PORT": str(self.port),
                    "DATABASE_URL": f"sqlite:///{workdir / 'backend.db'}", "LOG_LEVEL": "WARNING",
                    "PLR_ENV_FILE": "/dev/null"}
        self.url = f"http://127.0.0.1:{self.port}"
        self.service = Service("backend", ["make", "-s", "-C", str(ROOT / "backend"), "run"],
                               workdir / "backend.log", env=self.env, cwd=ROOT)

    def _post(self, path: str, body: dict, key: str, headers: dict | None = None) -> dict:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST", headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def submit(self, learner: dict) -> str:
        body = {**learner, "conversation_id": f"console-test-{uuid.uuid4().hex[:8]}"}
        return self._post("/v1/requests", body, self.env["ACTIONS_API_KEY"],
                          {"Idempotency-Key": uuid.uuid4().hex})["reference"]

    def staff_get(self, path: str) -> dict:
        request = urllib.request.Request(self.url + path,
                                         headers={"Authorization": f"Bearer {self.env['STAFF_API_KEY']}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    running = RealBackend(tmp_path_factory.mktemp("backend"))
    running.service.start().wait_http(f"{running.url}/healthz", 120)
    try:
        running.references = [running.submit(learner) for learner in LEARNERS]
        yield running
    finally:
        running.service.stop()


@pytest.fixture
def console(tmp_path, clock, backend):
    app = create_app(make_settings(tmp_path, backend_url=backend.url, staff_api_key=backend.env["STAFF_API_KEY"]),
                     clock=clock)
    app.state.accounts.add("viewer.test", "viewer password 1234", "viewer")
    app.state.accounts.add("case.test", "caseworker password 1234", "caseworker")
    with TestClient(app, follow_redirects=False) as client:
        yield app, client


def switch_user(client, username):
    """Another person at the same app: the app's HTTP clients belong to the test client's event
    loop, so a second TestClient cannot share them."""
    client.cookies.clear()
    sign_in(client, username)
    return client


def test_queue_lists_requests_without_personal_details(console, backend):
    app, client = console
    sign_in(client, "viewer.test")
    page = client.get("/staff/requests")
    assert page.status_code == 200
    for reference in backend.references:
        assert reference in page.text
    for learner in LEARNERS:
        assert learner["family_name"] not in page.text and learner["postcode"] not in page.text
    assert "opt-in" in page.text and "voice" in page.text
    assert '<th scope="col" class="govuk-table__header">Language</th>' in page.text
    assert '<td class="govuk-table__cell"><span lang="cy">Cymraeg</span></td>' in page.text
    assert page.text.count('<td class="govuk-table__cell">English</td>') >= len(LEARNERS) - 1


def test_filter_by_language(console, backend):
    app, client = console
    sign_in(client, "viewer.test")
    welsh = backend.references[WELSH]
    english = [ref for i, ref in enumerate(backend.references) if i != WELSH]
    in_welsh = client.get("/staff/requests", params={"language": "cy"}).text
    assert welsh in in_welsh and not any(ref in in_welsh for ref in english)
    assert '<option value="cy" lang="cy" selected>Cymraeg</option>' in in_welsh
    assert '(in <span lang="cy">Cymraeg</span>)</caption>' in in_welsh  # the caption says what is shown
    both = client.get("/staff/requests", params={"language": "en", "type": "opt_in"}).text
    assert backend.references[1] in both and "(opt-in, in English)</caption>" in both
    in_english = client.get("/staff/requests", params={"language": "en"}).text
    assert welsh not in in_english and all(ref in in_english for ref in english)
    anything = client.get("/staff/requests", params={"language": "fr"}).text  # not a choice: no filter
    assert all(ref in anything for ref in backend.references)
    admin = switch_user(client, "admin.test").get("/staff/requests", params={"language": "cy"}).text
    assert "/staff/export.csv?status=&amp;type=&amp;language=cy" in admin  # the export keeps the filter


def test_filters_and_search(console, backend):
    app, client = console
    sign_in(client, "viewer.test")
    opt_in = client.get("/staff/requests?type=opt_in").text
    assert backend.references[1] in opt_in and backend.references[0] not in opt_in
    # Typed as people say it: lower case, spaces instead of the dash.
    typed = backend.references[2].lower().replace("-", " ")
    found = client.get("/staff/requests", params={"q": typed})
    assert found.status_code == 303 and found.headers["location"] == f"/staff/requests/{backend.references[2]}"
    missing = client.get("/staff/requests", params={"q": "PLR-2222-2222"})
    assert "No request has this reference" in missing.text


def test_the_status_filter_shows_only_that_status(console, backend):
    app, client = console
    fresh = backend.submit({**LEARNERS[0], "family_name": "Synthfilter"})
    sign_in(client, "case.test")
    page = f"/staff/requests/{fresh}"
    assert post_form(client, page, f"{page}/status", {"status": "completed", "note": ""}).status_code == 303
    tag = re.compile(r'<strong class="govuk-tag govuk-tag--[a-z]+">([a-z ]+)</strong>')
    for status, shown in (("completed", "completed"), ("received", "received")):
        listed = client.get("/staff/requests", params={"status": status}).text
        tags = tag.findall(listed)
        assert tags and set(tags) == {shown}, (status, tags)
        assert (fresh in listed) == (status == "completed"), status
        assert f'<option value="{status}" selected>' in listed


def test_viewer_sees_no_personal_details_and_leaves_no_view_audit(console, backend):
    app, client = console
    sign_in(client, "viewer.test")
    reference = backend.references[0]
    page = client.get(f"/staff/requests/{reference}")
    assert page.status_code == 200 and reference in page.text
    for value in ("Jane", "Testlearner-Smith", "SW1A 1AA", "1748529632", "2001-03-12", "console-test-"):
        assert value not in page.text
    assert "does not show learners' details" in page.text
    assert "Change status" not in page.text
    assert app.state.audit.for_reference(reference) == []
    assert re.search(r"Language</dt><dd[^>]*>English</dd>", page.text)
    welsh = client.get(f"/staff/requests/{backend.references[WELSH]}").text
    assert re.search(r'Language</dt><dd[^>]*><span lang="cy">Cymraeg</span></dd>', welsh)


def test_caseworker_view_is_audited_and_shown(console, backend, clock):
    app, client = console
    sign_in(client, "case.test")
    reference = backend.references[0]
    page = client.get(f"/staff/requests/{reference}")
    assert "Testlearner-Smith" in page.text and "SW1A 1AA" in page.text and "1748529632" in page.text
    assert '/staff/conversations?c=console-test-' in page.text  # the learner's conversation, for review
    views = app.state.audit.for_reference(reference)
    assert views[0]["username"] == "case.test" and views[0]["action"] == "viewed personal details"
    clock.advance(60)
    again = switch_user(client, "admin.test").get(f"/staff/requests/{reference}").text
    shown = again[again.index("Who has seen these details"):]
    assert "admin.test" in shown and "case.test" in shown


def test_status_change_with_note_reaches_the_backend_history(console, backend):
    app, client = console
    sign_in(client, "case.test")
    reference = backend.references[1]
    page = f"/staff/requests/{reference}"
    response = post_form(client, page, f"{page}/status", {"status": "in_progress", "note": "Checked the register"})
    assert response.status_code == 303 and response.headers["location"] == f"{page}?saved=1"
    record = backend.staff_get(f"/v1/requests/{reference}")
    assert record["status"] == "in_progress"
    change = record["history"][-1]
    assert change["actor"] == "staff:case.test" and change["note"] == "Checked the register"
    shown = client.get(f"{page}?saved=1").text
    assert "The status was changed to in progress" in shown and "Checked the register" in shown
    # A viewer sees the history but not its notes.
    viewer = switch_user(client, "viewer.test").get(page).text
    assert "staff:case.test" in viewer and "Checked the register" not in viewer
    switch_user(client, "case.test")
    # Final statuses stay final: the backend's 409 is shown, nothing changes.
    post_form(client, page, f"{page}/status", {"status": "rejected", "note": ""})
    refused = post_form(client, page, f"{page}/status", {"status": "completed"})
    assert refused.status_code == 400 and "not allowed" in refused.text
    assert backend.staff_get(f"/v1/requests/{reference}")["status"] == "rejected"


def test_status_form_needs_a_choice(console, backend):
    app, client = console
    sign_in(client, "case.test")
    page = f"/staff/requests/{backend.references[2]}"
    response = post_form(client, page, f"{page}/status", {"note": "no status chosen"})
    assert response.status_code == 400 and "Choose the new status" in response.text


def test_csv_export_for_admins(console, backend):
    app, client = console
    sign_in(client, "admin.test")
    response = client.get("/staff/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0].startswith("reference,type,status")
    assert all(any(ref in line for line in lines) for ref in backend.references)
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert [rows[ref]["language"] for ref in backend.references] == ["en", "en", "en", "cy"]
    audit = app.state.audit.recent()
    summary = next(e for e in audit if "requests as CSV" in e["action"])
    assert summary["action"] == f"exported {len(rows)} requests as CSV (filter: none)"
    exported = {e["reference"] for e in audit if e["action"] == "exported personal details as CSV"}
    assert set(backend.references) <= exported
    welsh_only = client.get("/staff/export.csv", params={"language": "cy"}).text
    assert [row["reference"] for row in csv.DictReader(io.StringIO(welsh_only))] == [backend.references[WELSH]]
    latest = app.state.audit.recent(2)
    assert latest[1]["action"] == "exported 1 requests as CSV (filter: language cy)"
    assert latest[0]["action"] == "exported personal details as CSV"
    assert latest[0]["reference"] == backend.references[WELSH]
    # The request's own page lists the export among its views.
    page = client.get(f"/staff/requests/{backend.references[WELSH]}").text
    assert "exported personal details as CSV" in page


def test_dead_letters_are_listed_when_the_backend_has_them(console, backend):
    app, client = console
    letter = {"idempotency_key": uuid.uuid4().hex, "http_status": 422, "field": "postcode",
              "request": {"type": "opt_out", "given_name": "Nia", "family_name": "Synthdeadletter",
                          "postcode": "ZZ9 9ZZ", "channel": "web"}}
    try:
        backend._post("/v1/undeliverable", letter, backend.env["ACTIONS_API_KEY"])
        has_route = True
    except urllib.error.HTTPError as exc:
        assert exc.code in (404, 405), exc.code
        has_route = False
    sign_in(client, "viewer.test")
    assert client.get("/staff/dead-letters").status_code == 403  # they hold personal details
    switch_user(client, "case.test")
    page = client.get("/staff/dead-letters")
    assert page.status_code == 200
    if has_route:
        assert "Synthdeadletter" in page.text and "field postcode" in page.text
        shown = [e for e in app.state.audit.recent() if e["action"] == "viewed a dead letter"]
        assert shown and all(e["username"] == "case.test" and e["reference"].startswith("dead-letter ")
                             for e in shown)
        assert all(e["reference"].replace("dead-letter", "Dead letter") in page.text for e in shown)
    else:
        assert "does not list refused requests" in page.text


def test_personal_values_never_reach_the_consoles_database(console, backend, tmp_path):
    app, client = console
    sign_in(client, "case.test")
    for reference in backend.references:
        client.get(f"/staff/requests/{reference}")
    raw = (tmp_path / "console.db").read_bytes()
    for learner in LEARNERS:
        for key in ("family_name", "postcode", "date_of_birth"):
            assert learner[key].encode() not in raw
    assert re.search(rb"PLR-", raw)  # the audit names requests, by reference

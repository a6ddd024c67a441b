"""Conversation review: the recent conversations (from the Rasa route of channels/conversations.py),
each one's read-only transcript with the audit of who read it, and saving it as a test case.
Rasa is a fake here (httpx.MockTransport) answering as the real route and tracker API do; the
browser test reads a real one."""
from __future__ import annotations

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from conftest import PASSWORDS, make_settings, sign_in
from plr_console.app import create_app

TOKEN = "y" * 32  # make_settings' rasa_api_token
LEARNER = "0123456789abcdef0123456789abcdef"  # a web chat conversation
OWN_TRY = "console-viewer.test-00c0ffee"

# A finished opt-out as the tracker store keeps it: the learner's answers replaced.
REDACTED = {"events": [
    {"event": "action", "name": "action_session_start"},
    {"event": "user", "text": "I want to opt out", "timestamp": 1_900_000_000.0, "parse_data": {
        "intent": {"name": "request_opt_out", "confidence": 0.98},
        "intent_ranking": [{"name": "request_opt_out", "confidence": 0.98}], "entities": []}},
    {"event": "action", "name": "utter_request_consent_opt_out", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "Shall we start?", "metadata": {"utter_action": "utter_request_consent_opt_out"}},
    {"event": "user", "text": "[removed: personal details]", "parse_data": {
        "text": "[removed: personal details]", "intent": {"name": "inform", "confidence": 0.91}, "entities": []}},
    {"event": "slot", "name": "given_name", "value": None},
    {"event": "action", "name": "request_form", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "[removed: the learner's details]",
     "metadata": {"utter_action": "utter_review_request_opt_out"}},
]}
TRY = {"events": [
    {"event": "user", "text": "What is a ULN?", "parse_data": {
        "intent": {"name": "faq_uln", "confidence": 0.99}, "intent_ranking": [], "entities": []}},
    {"event": "action", "name": "utter_faq_uln", "policy": "RulePolicy", "confidence": 1.0},
    {"event": "bot", "text": "A ULN is ...", "metadata": {"utter_action": "utter_faq_uln"}},
]}
RECENT = [
    {"id": LEARNER, "latest_event_time": 1_900_000_300.5, "events": 8, "turns": 2},
    {"id": OWN_TRY, "latest_event_time": 1_900_000_200.0, "events": 3, "turns": 1},
    {"id": "started-but-silent", "latest_event_time": 1_900_000_100.0, "events": 3, "turns": 0},
    {"id": "odd id with spaces", "latest_event_time": 1_900_000_050.0, "events": 4, "turns": 1},
]


class FakeRasa:
    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.listing: object = RECENT
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.url.params.get("token") != TOKEN:
            return httpx.Response(401, json={"error": "a token is required"})
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "down"})
        path = request.url.path
        if path == "/webhooks/conversations/recent":
            return httpx.Response(200, json=self.listing)
        trackers = {f"/conversations/{LEARNER}/tracker": REDACTED, f"/conversations/{OWN_TRY}/tracker": TRY}
        return httpx.Response(200, json=trackers.get(path, {"events": []}))


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
def console(tmp_path, clock, rasa):
    app = create_app(make_settings(tmp_path), clock=clock, rasa_transport=httpx.MockTransport(rasa))
    app.state.accounts.add("viewer.test", PASSWORDS["viewer.test"], "viewer")
    app.state.accounts.add("case.test", PASSWORDS["case.test"], "caseworker")
    with TestClient(app, follow_redirects=False) as client:
        yield app, client


def test_the_list_shows_recent_conversations_newest_first(console, rasa):
    app, client = console
    sign_in(client, "case.test")
    page = client.get("/staff/conversations")
    assert page.status_code == 200
    listing = rasa.calls[-1]
    assert listing.url.path == "/webhooks/conversations/recent" and listing.url.params["limit"] == "50"
    assert TOKEN not in page.text  # the token stays on the server
    table = page.text[page.text.index('id="recent"'):page.text.index("</table>")]
    assert table.index(LEARNER) < table.index(OWN_TRY)
    assert "2030-03-17 17:51:40 UTC" in table  # 1_900_000_300 as UTC
    assert f'href="/staff/conversations/{LEARNER}"' in table
    assert "started-but-silent" not in table  # nothing said: nothing to read
    assert "odd id with spaces" in table and 'href="/staff/conversations/odd' not in table
    # Listing reads no conversation: nothing in the audit yet.
    assert not any("conversation" in e["action"] for e in app.state.audit.recent())


def test_the_nav_links_the_page_for_every_role(console):
    _, client = console
    sign_in(client, "viewer.test")
    nav = client.get("/staff/").text
    assert 'href="/staff/conversations"' in nav


def test_a_transcript_is_read_only_redacted_and_audited(console, clock):
    app, client = console
    sign_in(client, "case.test")
    page = client.get(f"/staff/conversations/{LEARNER}")
    assert page.status_code == 200
    text = page.text
    assert "I want to opt out" in text and "request_opt_out" in text
    assert "[removed: personal details]" in text and "[removed: the learner&#39;s details]" in text
    assert "utter_review_request_opt_out" in text and "inform" in text
    assert 'name="message"' not in text and 'method="post" action="/staff/try"' not in text  # read-only
    assert f'href="/staff/conversations/{LEARNER}/case.yml"' in text and "Save as a test case" in text
    entries = [e for e in app.state.audit.recent() if e["reference"] == LEARNER]
    assert [(e["username"], e["action"]) for e in entries] == [("case.test", "read the conversation")]
    views = text[text.index('id="views"'):]
    assert "case.test" in views and "read the conversation" in views
    clock.advance(60)
    client.get(f"/staff/conversations/{LEARNER}")
    assert len(app.state.audit.for_reference(LEARNER)) == 2  # every view, not only the first


def test_save_as_a_test_case_downloads_the_scripted_format(console):
    app, client = console
    sign_in(client, "case.test")
    download = client.get(f"/staff/conversations/{LEARNER}/case.yml")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="{LEARNER}.yml"'
    case = yaml.safe_load(download.text)
    assert case["tags"] == ["console"] and "conversation review" in case["description"]
    assert case["steps"][0] == {"user": "I want to opt out", "expect": {
        "intent": "request_opt_out", "responses": ["utter_request_consent_opt_out"]}}
    assert case["steps"][1]["user"] == "[removed: personal details]"
    assert ("case.test", "saved the conversation as a test case") in [
        (e["username"], e["action"]) for e in app.state.audit.for_reference(LEARNER)]


def test_a_viewer_lists_but_reads_only_their_own_tries(console, rasa):
    app, client = console
    sign_in(client, "viewer.test")
    page = client.get("/staff/conversations")
    assert page.status_code == 200
    assert LEARNER in page.text and f'href="/staff/conversations/{LEARNER}"' not in page.text
    assert f'href="/staff/conversations/{OWN_TRY}"' in page.text
    calls = len(rasa.calls)
    assert client.get(f"/staff/conversations/{LEARNER}").status_code == 403
    assert client.get(f"/staff/conversations/{LEARNER}/case.yml").status_code == 403
    assert len(rasa.calls) == calls  # refused before Rasa is asked
    own = client.get(f"/staff/conversations/{OWN_TRY}")
    assert own.status_code == 200 and "What is a ULN?" in own.text
    assert app.state.audit.for_reference(OWN_TRY)[0]["username"] == "viewer.test"
    saved = yaml.safe_load(client.get(f"/staff/conversations/{OWN_TRY}/case.yml").text)
    assert "'Try the assistant'" in saved["description"] and saved["steps"][0]["user"] == "What is a ULN?"


def test_open_by_id_goes_to_the_transcript(console):
    _, client = console
    sign_in(client, "case.test")
    moved = client.get("/staff/conversations", params={"c": f" {LEARNER} "})
    assert moved.status_code == 303 and moved.headers["location"] == f"/staff/conversations/{LEARNER}"
    bad = client.get("/staff/conversations", params={"c": "not/an id"})
    assert bad.status_code == 400 and "A conversation id is letters" in bad.text
    assert client.get("/staff/conversations/not-held-here").status_code == 404


def test_rasa_failures_are_explained_not_500(console, rasa):
    _, client = console
    sign_in(client, "case.test")
    rasa.status = 503
    page = client.get("/staff/conversations")
    assert page.status_code == 200 and "cannot be listed" in page.text and "Open a conversation by its id" in page.text
    assert client.get(f"/staff/conversations/{LEARNER}").status_code == 502
    rasa.status = 200
    rasa.listing = {"not": "a list"}
    assert "cannot be listed" in client.get("/staff/conversations").text


def test_nothing_without_signing_in(console):
    _, client = console
    for path in ("/staff/conversations", f"/staff/conversations/{LEARNER}", f"/staff/conversations/{LEARNER}/case.yml"):
        assert client.get(path).status_code == 303

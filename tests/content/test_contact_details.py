"""One source for every contact detail: content/contacts.yml, overridden by settings, filled
into every response by the NLG that endpoints.yml names."""
from __future__ import annotations

import asyncio
import re

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from content import contacts
from content.nlg import ContactDetailsNLG
from tests.unit.domain_files import DOMAIN_DIR, ROOT, facts

# A deployment's own values, unlike any reviewed one.
OVERRIDES = {
    "HELPDESK_PHONE": "0300 999 0001",
    "SUPPORT_EMAIL": "help-desk@lrs.example",
    "ACCESSIBLE_FORMATS_EMAIL": "formats@lrs.example",
    "TRACKER_RETENTION_DAYS": "7",
    "RETENTION_DAYS": "90",
}
PLACEHOLDER = re.compile(r"{([A-Za-z0-9_]+)}")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_DIR))


def render_all(nlg: ContactDetailsNLG, domain: Domain):
    """(response, channel, filled text) of every variation, as a learner would get it."""
    for name, variations in domain.responses.items():
        for variation in variations:
            # Rasa fills every placeholder or none: the others (a reference, a field) get a stand-in.
            others = {key: f"[{key}]" for key in PLACEHOLDER.findall(variation.get("text") or "")}
            filled = nlg._fill_response(dict(variation), {**others, **nlg.contact_values})
            yield name, variation.get("channel"), filled.get("text") or ""


def shows(value: str, text: str) -> bool:
    """`value` as a whole (30 days is not the 30 inside 0303 123 1113)."""
    return re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text) is not None


def test_endpoints_name_the_contact_nlg():
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert endpoints["nlg"]["type"] == "content.nlg.ContactDetailsNLG"


def test_every_setting_overrides_its_reviewed_value_and_blank_keeps_it():
    reviewed = contacts.reviewed()
    for key, contact in reviewed.items():
        if contact.env:
            assert contacts.value(key, {contact.env: OVERRIDES.get(contact.env, "x")}) != contact.value
            assert contacts.value(key, {contact.env: "  "}) == contact.value
        assert contacts.value(key, {}) == contact.value
    assert contacts.value("helpdesk_phone", {"HELPDESK_PHONE": '"0300 999 0001"'}) == "0300 999 0001"


def test_every_reviewed_value_is_a_reviewed_fact():
    statements = {key: fact["statement"] for key, fact in facts()["facts"].items()}
    for contact in contacts.reviewed().values():
        if contact.fact is None:  # settings of this service, not facts about the LRS
            assert contact.env, f"{contact.key} has neither a fact nor a setting"
            continue
        assert contact.fact in statements, f"{contact.key}: no fact {contact.fact} in docs/facts.yml"
        assert contact.value in statements[contact.fact], f"{contact.key}: {contact.value!r} not in its fact"


def test_no_response_leaves_a_contact_placeholder_unfilled(domain):
    nlg = ContactDetailsNLG(domain=domain, environ={})
    for name, channel, text in render_all(nlg, domain):
        left = set(PLACEHOLDER.findall(text)) & set(contacts.reviewed())
        assert not left, f"{name} ({channel or 'text'}) left {left} unfilled"


def test_changing_the_settings_changes_every_answer_that_names_them(domain):
    default = ContactDetailsNLG(domain=domain, environ={})
    deployed = ContactDetailsNLG(domain=domain, environ=OVERRIDES)
    overridable = {key: c for key, c in contacts.reviewed().items() if c.env}
    changed = 0
    for (name, channel, before), (_, _, after) in zip(render_all(default, domain), render_all(deployed, domain)):
        for key, contact in overridable.items():
            if shows(contact.value, before):
                changed += 1
                assert not shows(contact.value, after), f"{name} ({channel or 'text'}) still shows {contact.value}"
                assert shows(deployed.contact_values[key], after)
    # The helpdesk number alone is in dozens of answers: the check above must have had work to do.
    assert changed >= 20


def test_the_nlg_fills_contacts_under_slots_and_action_values(domain):
    nlg = ContactDetailsNLG(domain=Domain.from_dict({"responses": {
        "utter_call": [{"text": "Call {helpdesk_phone}, ref {reference}."}]}}), environ=OVERRIDES)
    tracker = DialogueStateTracker("someone", [])
    reply = asyncio.new_event_loop().run_until_complete(
        nlg.generate("utter_call", tracker, "rest", reference="PLR-AAAA-BBBB"))
    assert reply["text"] == "Call 0300 999 0001, ref PLR-AAAA-BBBB."
    reply = asyncio.new_event_loop().run_until_complete(
        nlg.generate("utter_call", tracker, "rest", reference="x", helpdesk_phone="0800 000 0000"))
    assert reply["text"] == "Call 0800 000 0000, ref x."


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("channel", ["rest", "socketio", "twilio_voice"])
def test_the_privacy_answer_quotes_both_retention_settings(domain, language, channel):
    """How long the chat keeps a conversation (TRACKER_RETENTION_DAYS) and how long the backend
    keeps a request after the LRS team closes it (RETENTION_DAYS): changing either setting
    changes the answer, in English and in Welsh, on screen and on the phone."""
    slots = {"language": language}
    default = ContactDetailsNLG(domain=domain, environ={}).generate_from_slots(
        "utter_faq/chat_privacy", slots, channel)["text"]
    deployed = ContactDetailsNLG(domain=domain, environ=OVERRIDES).generate_from_slots(
        "utter_faq/chat_privacy", slots, channel)["text"]
    day = "diwrnod" if language == "cy" else "days"
    settings = (("chat_retention_days", "TRACKER_RETENTION_DAYS"), ("request_retention_days", "RETENTION_DAYS"))
    for key, setting in settings:
        reviewed = contacts.reviewed()[key].value
        assert f"{reviewed} {day}" in default, (key, default)
        assert f"{OVERRIDES[setting]} {day}" in deployed and not shows(reviewed, deployed), (key, deployed)

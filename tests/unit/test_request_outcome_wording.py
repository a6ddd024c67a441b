"""What a learner is told after a request, as the NLG picks it (docs/facts.yml,
policy.request_outcome_wording): contact by email is mentioned only when an email address was
given (the form stores "none" when the learner says no); a queued request is not promised
delivery; a cancel says the details were deleted, which stores/redaction.py makes true
(tests/integration/test_no_copy_after_the_fact.py); the opt-out answers keep to the newer
guidance."""
from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from content import welsh
from content.nlg import ContactDetailsNLG
from tests.unit.domain_files import DOMAIN_DIR

CHANNELS = ["rest", "socketio", "twilio_voice"]
PROMISES_CONTACT = re.compile(r"\b(?:be in touch|email you|contact you|hear from (?:us|them) soon)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def nlg() -> ContactDetailsNLG:
    domain = Domain.load(str(DOMAIN_DIR))
    return ContactDetailsNLG(domain=domain, environ={})


def said(nlg: ContactDetailsNLG, response: str, channel: str, **slots) -> str:
    generated = nlg.generate_from_slots(response, slots, channel, reference="PLR-7K3M-9QXD")
    assert generated is not None, (response, channel)
    return generated["text"]


@pytest.mark.parametrize("kind", ["opt_out", "opt_in"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_contact_by_email_is_mentioned_only_when_an_email_was_given(nlg, kind, channel):
    response = f"utter_request_submitted_{kind}"
    declined = said(nlg, response, channel, contact_email="none")
    unset = said(nlg, response, channel)
    given = said(nlg, response, channel, contact_email="jane.smith@example.org")
    for text in (declined, unset):
        assert not PROMISES_CONTACT.search(text), text
        assert "progress" in text and "PLR-7K3M-9QXD" in text
    assert "email" in given and "PLR-7K3M-9QXD" in given


@pytest.mark.parametrize("channel", CHANNELS)
def test_status_replies_promise_no_contact(nlg, channel):
    for status in ("received", "in_progress", "completed", "rejected"):
        text = said(nlg, f"utter_status_{status}", channel)
        assert not PROMISES_CONTACT.search(text), (status, text)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_queued_request_is_not_promised_delivery(nlg, channel):
    text = said(nlg, "utter_request_queued", channel)
    assert "try to send" in text
    assert not re.search(r"automatically|will be sent|need to (?:ask|call) again", text, re.IGNORECASE), text
    assert "0345 602 2589" in text


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_cancel_says_what_was_deleted_and_that_nothing_was_sent(nlg, channel):
    text = said(nlg, "utter_request_cancelled", channel)
    assert "deleted the details you gave me" in text and "Nothing was sent" in text


@pytest.mark.parametrize("channel", CHANNELS)
def test_consent_names_every_detail_the_form_asks_for(nlg, channel):
    for kind in ("opt_out", "opt_in"):
        text = said(nlg, f"utter_request_consent_{kind}", channel).lower()
        for detail in ("first", "family name", "date of birth", "postcode", "previous", "uln", "email"):
            assert detail in text, (kind, channel, detail)
        assert "privacy" in text or "what do you do with my details" in text


@pytest.mark.parametrize("channel", CHANNELS)
def test_opt_out_answers_follow_the_newer_guidance(nlg, channel):
    how = said(nlg, "utter_faq/opt_out_how", channel)
    what = said(nlg, "utter_faq/opt_out_what", channel)
    assert "no longer offered" in how and "as standard" not in how
    assert what.startswith("If the LRS puts a 'not shared' flag")


def test_every_opt_out_answer_says_the_lrs_team_decides():
    """Every variation, on screen and on the phone, in English and in Welsh, and not only the one
    the NLG happens to pick: an offer to start a request says the LRS team decides
    (docs/facts.yml optout.flag and optout.how)."""
    english = Domain.load(str(DOMAIN_DIR)).responses
    welsh_variations = welsh.welsh_responses()
    checked = []
    for name in ("utter_faq/opt_out_what", "utter_faq/opt_out_how"):
        for variation in english[name]:
            checked.append((name, variation.get("channel") or "text", "en"))
            assert re.search(r"\bLRS team\b.*\bdecide", variation["text"]), checked[-1]
            if name == "utter_faq/opt_out_how":
                assert "no longer offered" in variation["text"] and "as standard" not in variation["text"]
        for variation in welsh_variations[name]:
            checked.append((name, variation.get("channel") or "text", "cy"))
            assert "penderfynu" in variation["text"], checked[-1]
            if name == "utter_faq/opt_out_how":
                assert "ddim ar gael bellach" in variation["text"], checked[-1]
    assert {(name, channel) for name, channel, _ in checked} >= {
        (name, channel) for name in ("utter_faq/opt_out_what", "utter_faq/opt_out_how")
        for channel in ("text", "twilio_voice")}


def test_the_phone_greeting_gives_one_sentence_of_privacy_information(nlg):
    text = said(nlg, "utter_greet", "twilio_voice")
    assert "used only for your request" in text and "say privacy" in text

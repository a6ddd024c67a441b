"""Once a request is sent, cancelled or started again, the conversation store keeps none of the
learner's details: not in slots, user messages, entities or read-backs (stores/redaction.py).
Checked through Rasa's own tracker API on the running stack (in-memory store); the scaled
stack's test_logs_scaled.py checks PostgreSQL's rows."""
from __future__ import annotations

import json

import pytest

from tests.chat import new_sender, send, texts, tracker

pytestmark = pytest.mark.stack

GIVEN, FAMILY, DOB, DOB_ISO, DOB_LONG = "Morwenna", "Quiller", "14/02/2002", "2002-02-14", "14 February 2002"
POSTCODE, ULN, EMAIL = "PL1 3DH", "1000000043", "m.quiller@example.net"
VALUES = [GIVEN, FAMILY, DOB, DOB_ISO, DOB_LONG, POSTCODE, ULN, EMAIL, "*******043"]


def fill_in(stack, sender):
    """Up to the read-back, with every detail given."""
    url = stack.config.rasa_url
    for text in ("I want to opt out", "yes", f"I'm {GIVEN} {FAMILY}", DOB, POSTCODE, "no", "yes", ULN):
        assert texts(send(url, sender, text)), text
    reply = texts(send(url, sender, EMAIL))
    assert GIVEN in reply and "*******043" in reply, reply


def stored(stack, sender) -> str:
    return json.dumps(tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], sender))


def held(stack, sender):
    text = stored(stack, sender).lower()
    return [value for value in VALUES if value.lower() in text]


def test_while_the_request_is_open_only_the_slots_and_read_back_hold_details(stack):
    sender = new_sender("open")
    fill_in(stack, sender)
    events = json.loads(stored(stack, sender))["events"]
    typed = json.dumps([e for e in events if e["event"] == "user"]).lower()
    assert not [value for value in VALUES if value.lower() in typed]


@pytest.mark.parametrize("ending", ["yes", "cancel", "/restart"])
def test_a_sent_cancelled_or_restarted_request_leaves_no_detail(stack, ending):
    sender = new_sender("closed")
    fill_in(stack, sender)
    assert held(stack, sender), "the open request should still hold its details"
    send(stack.config.rasa_url, sender, ending, allow_empty=True)
    assert held(stack, sender) == []
    # The conversation carries on normally afterwards.
    assert "ULN" in texts(send(stack.config.rasa_url, sender, "what is a ULN?"))


def test_a_status_check_leaves_no_date_of_birth(stack):
    sender = new_sender("status")
    url = stack.config.rasa_url
    send(url, sender, "check my request PLR-ABCD-EFGH")
    send(url, sender, DOB)
    text = stored(stack, sender)
    assert DOB not in text and DOB_ISO not in text

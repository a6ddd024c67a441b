"""End to end through the REST channel: the running stack (Rasa, action server, backend)
takes a full opt-out, and the backend's staff API holds exactly what the learner confirmed."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.chat import buttons, new_sender, send, texts, tracker

pytestmark = pytest.mark.stack
REFERENCE = re.compile(r"PLR-[A-Z0-9]{4}-[A-Z0-9]{4}")


def staff_get(stack, path):
    request = urllib.request.Request(f"{stack.config.backend_url}{path}",
                                     headers={"Authorization": f"Bearer {stack.env['STAFF_API_KEY']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def say(stack, sender, text):
    replies = send(stack.config.rasa_url, sender, text)
    return texts(replies), replies


def test_full_opt_out_with_several_values_and_one_correction(stack):
    sender = new_sender("e2e")
    reply, replies = say(stack, sender, "I want to opt out")
    assert "LRS team" in reply and "decides what it can do" in reply
    assert "Yes, start" in buttons(replies)

    reply, _ = say(stack, sender, "yes")
    assert "first name" in reply.lower()

    reply, _ = say(stack, sender, "I'm Jane Smith, born 3/4/2001, postcode SW1A 1AA")
    assert "different family name" in reply, reply

    reply, _ = say(stack, sender, "no")
    assert "ULN" in reply
    reply, _ = say(stack, sender, "yes")
    assert "10-digit" in reply
    reply, _ = say(stack, sender, "1748529632")
    assert "email" in reply.lower()

    reply, replies = say(stack, sender, "no")
    assert "Here is what you told me" in reply
    for shown in ("Jane Smith", "3 April 2001", "SW1A 1AA", "*******632"):
        assert shown in reply
    assert "1748529632" not in reply, "the ULN is masked in the read-back"
    assert "Yes, send it" in buttons(replies)

    reply, _ = say(stack, sender, "actually my surname is Evans")
    assert "Here is what you told me" in reply and "Jane Evans" in reply

    reply, _ = say(stack, sender, "yes")
    match = REFERENCE.search(reply)
    assert match, reply
    assert "opted out" not in reply.lower()
    reference = match.group(0)

    stored = staff_get(stack, f"/v1/requests/{reference}")
    expected = {"type": "opt_out", "given_name": "Jane", "family_name": "Evans", "date_of_birth": "2001-04-03",
                "postcode": "SW1A 1AA", "uln": "1748529632", "conversation_id": sender, "status": "received"}
    for field, value in expected.items():
        assert stored[field] == value, (field, stored[field])
    assert not stored.get("previous_family_name") and not stored.get("contact_email")
    assert stored["channel"] == "other"  # the REST channel is neither web chat nor voice

    slots = tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], sender)["slots"]
    for personal in ("given_name", "family_name", "date_of_birth", "postcode", "uln", "request_key"):
        assert slots[personal] is None, f"{personal} kept after submission"

    # The learner can then check it with the reference and date of birth.
    reply, _ = say(stack, sender, "what's happening with my request?")
    assert "reference" in reply.lower()
    say(stack, sender, reference.lower())
    reply, _ = say(stack, sender, "3 April 2001")
    assert reference in reply and "received" in reply
    # A wrong date of birth gets the same answer as an unknown reference.
    say(stack, sender, "check my request")
    say(stack, sender, reference)
    wrong_dob, _ = say(stack, sender, "4 April 2001")
    say(stack, sender, "check my request")
    say(stack, sender, "PLR-2345-6789")
    unknown, _ = say(stack, sender, "3 April 2001")
    assert wrong_dob == unknown and "could not find" in unknown


def test_opt_in_cancel_clears_everything_and_sends_nothing(stack):
    sender = new_sender("e2e")
    reply, _ = say(stack, sender, "I'd like to share my PLR again")
    assert "shared again" in reply
    say(stack, sender, "yes")
    say(stack, sender, "Priya")
    reply, _ = say(stack, sender, "never mind")
    assert "Nothing was sent" in reply
    slots = tracker(stack.config.rasa_url, stack.env["RASA_API_TOKEN"], sender)["slots"]
    assert slots["given_name"] is None and slots["request_type"] is None
    assert not [r for r in staff_get(stack, "/v1/requests?limit=100")["items"] if r["conversation_id"] == sender]


def test_logs_at_info_hold_none_of_the_personal_values(stack):
    """Runs after the conversations above (same stack): no name, date of birth, ULN,
    postcode or email a learner typed appears in any service's log."""
    sender = new_sender("e2e")
    for text in ("opt me out", "yes", "My name is Quentin Zabriskie", "born 17/09/1998", "postcode LS6 3QW",
                 "yes it was Oyelaran", "yes", "1000000043", "quentin.z@example.org"):
        say(stack, sender, text)
    secrets = ["Quentin", "Zabriskie", "17/09/1998", "1998-09-17", "LS6 3QW", "Oyelaran", "1000000043",
               "quentin.z@example.org", "Jane Smith", "Evans", "1748529632", "SW1A 1AA", "2001-04-03"]
    for name, service in stack.services.items():
        text = service.log_path.read_text(errors="replace")
        leaked = [value for value in secrets if value in text]
        assert not leaked, f"{name} log holds {leaked}"

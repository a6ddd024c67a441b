"""A full opt-out through the public side of the scaled stack (socket.io through nginx, with a
previous family name and an email), then every log of every service, nginx and PostgreSQL
included, is searched for the personal values the learner typed. Logs run at INFO."""
from __future__ import annotations

import pytest

from testkit.opt_out import REFERENCE
from testkit.scaled import TRACKER_DB
from testkit.web_learner import WebLearner, run, texts

pytestmark = pytest.mark.stack

GIVEN, FAMILY, PREVIOUS = "Ffion", "Tregarthen", "Penhallow"
DOB, DOB_ISO, POSTCODE, ULN = "17/09/1998", "1998-09-17", "TR1 2HE", "3000000029"
EMAIL = "ffion.tregarthen@example.org"


def test_a_full_conversation_leaves_no_personal_value_in_any_log(scaled):
    steps = [
        ("I want to stop sharing my PLR", "LRS team"),
        ("yes", "first name"),
        (f"I'm {GIVEN} {FAMILY}, born {DOB}, postcode {POSTCODE}", "different family name"),
        ("yes", "previous family name"),
        (PREVIOUS, "ULN"),
        ("yes", "10-digit"),
        (ULN, "email"),
        (EMAIL, "Here is what you told me"),
    ]

    async def scenario():
        learner = await WebLearner(scaled.config.public_url).connect()
        try:
            for text, expected in steps:
                reply = texts(await learner.say(text))
                assert reply, text
                if expected:
                    assert expected in reply, (text, reply)
            return texts(await learner.say("yes")), learner.sender_id
        finally:
            await learner.close()

    final, sender = run(scenario())
    reference = REFERENCE.search(final)
    assert reference, final
    record = scaled.staff_get(reference.group(0))
    assert (record["given_name"], record["family_name"], record["previous_family_name"], record["uln"],
            record["contact_email"]) == (GIVEN, FAMILY, PREVIOUS, ULN, EMAIL)

    secrets = [GIVEN, FAMILY, PREVIOUS, DOB, DOB_ISO, POSTCODE, POSTCODE.replace(" ", ""), ULN, EMAIL]
    # The tracker store's own rows keep none of them once the request is sent (stores/redaction.py).
    rows = scaled.stack.postgres.psql(
        f"SELECT type_name || ' ' || data FROM events WHERE sender_id = '{sender}' ORDER BY id", database=TRACKER_DB)
    assert "action_submit_request" in rows and "[removed: personal details]" in rows
    held = [value for value in secrets + ["Tregarthen", "17 September 1998"] if value.lower() in rows.lower()]
    assert not held, f"the tracker store's rows still hold {held}"
    logs = scaled.stack.log_files()
    names = sorted(path.name for path in logs)
    for expected in ("rasa-1.log", "rasa-2.log", "actions-1.log", "actions-2.log", "backend.log",
                     "nginx-access.log", "postgres.log"):
        assert expected in names, names
    assert scaled.env.get("LOG_LEVEL", "INFO").upper() == "INFO"
    for path in logs:
        text = path.read_text(errors="replace")
        leaked = [value for value in secrets if value in text]
        assert not leaked, f"{path.name} holds {leaked}"
    print(f"log scan: {len(logs)} logs, {sum(p.stat().st_size for p in logs) // 1024} KiB, "
          f"{len(secrets)} personal values, none found")

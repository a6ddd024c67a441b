"""stores/redaction.py on event lists shaped like Rasa's: what may be stored of a learner."""
from __future__ import annotations

import json

from stores import redaction
from stores.redaction import BOT_PLACEHOLDER, USER_PLACEHOLDER

DETAILS = {"given_name": "Sam", "family_name": "Hughes", "date_of_birth": "2001-06-21", "postcode": "NE1 4ST",
           "uln": "1748529632", "contact_email": "sam.h@example.com"}


def user(text, intent="inform", entities=()):
    return {"event": "user", "text": text,
            "parse_data": {"text": text, "intent": {"name": intent}, "entities": list(entities)}}


def bot(text, utter=None, buttons=None):
    return {"event": "bot", "text": text, "data": {"buttons": buttons}, "metadata": {"utter_action": utter}}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def ask(slot_name, question):
    return [{"event": "action", "name": "sharing_request_form"}, slot("requested_slot", slot_name),
            bot(question, f"utter_ask_{slot_name}"), {"event": "action", "name": "action_listen"}]


def open_request():
    """Consent given, every detail answered, the read-back shown."""
    events = [user("I want to opt out", "request_opt_out"), {"event": "action", "name": "action_start_request"},
              bot("To ask ...", "utter_request_consent_opt_out"), slot("request_type", "opt_out"),
              {"event": "action", "name": "action_listen"}, user("yes", "affirm"),
              {"event": "active_loop", "name": "sharing_request_form"}]
    for name, value in DETAILS.items():
        events += ask(name, "?") + [user(f"my answer is {value}"), slot(name, value)]
    events += [slot("requested_slot", None), {"event": "active_loop", "name": None},
               {"event": "action", "name": "action_review_request"},
               {**bot("Name: Sam Hughes, born 21 June 2001, NE1 4ST, *******632", "utter_review_request_opt_out",
                      [{"title": "Yes, send it", "payload": "/affirm"}]),
                "metadata": {"utter_action": "utter_review_request_opt_out", "review_name": "Sam Hughes",
                             "review_dob": "21 June 2001", "review_uln": "*******632"}},
               {"event": "action", "name": "action_listen"}]
    return events


def stored_text(events):
    return json.dumps(events)


def test_while_a_request_is_open_slots_and_read_back_stay_but_typed_answers_go():
    events, changed = redaction.redact(open_request())
    assert redaction.current_values(events) == DETAILS
    text = stored_text([e for e in events if e["event"] == "user"])
    for value in DETAILS.values():
        assert value not in text
    assert any(e["event"] == "bot" and "Sam Hughes" in e["text"] for e in events)
    assert changed  # the answers


def test_after_submission_nothing_of_the_learner_is_left():
    events = open_request() + [user("yes", "affirm"), {"event": "action", "name": "action_submit_request"},
                               bot("Thank you. Your reference is PLR-7K3M-9QXD.", "utter_request_submitted_opt_out")]
    events += [slot(name, None) for name in DETAILS]
    redacted, _ = redaction.redact(events)
    text = stored_text(redacted)
    for value in [*DETAILS.values(), "Sam Hughes", "21 June 2001", "*******632"]:
        assert value not in text, value
    read_back = next(e for e in redacted
                     if (e.get("metadata") or {}).get("utter_action") == "utter_review_request_opt_out")
    assert read_back["text"] == BOT_PLACEHOLDER and read_back["data"]["buttons"]  # buttons kept for "yes"
    assert "PLR-7K3M-9QXD" in text  # the reference names the request, not the learner
    assert [e["parse_data"]["intent"]["name"] for e in redacted if e["event"] == "user"][:2] == [
        "request_opt_out", "affirm"]


def test_restart_and_new_session_drop_every_value():
    for reset in ("restart", "session_started"):
        redacted, _ = redaction.redact(open_request() + [{"event": reset}])
        text = stored_text(redacted)
        assert not any(value in text for value in DETAILS.values())
        assert "Sam Hughes" not in text


def test_a_correction_drops_the_old_value_at_once():
    events = open_request() + [user("my postcode should be SW1A 1AA", "correct"), slot("postcode", "SW1A 1AA")]
    redacted, _ = redaction.redact(events)
    assert redaction.current_values(redacted)["postcode"] == "SW1A 1AA"
    assert "NE1 4ST" not in stored_text([e for e in redacted if e["event"] != "bot"])


def test_details_in_an_opening_message_go_even_without_a_question():
    opening = "I want to opt out. I'm Sam Hughes, born 21/06/2001"
    events = [user(opening, "request_opt_out", [{"entity": "PERSON", "value": "Sam Hughes"}]),
              {"event": "action", "name": "action_start_request"}, slot("given_name", "Sam")]
    redacted, _ = redaction.redact(events)
    assert redacted[0]["text"] == USER_PLACEHOLDER
    assert redacted[0]["parse_data"] == {"text": USER_PLACEHOLDER, "intent": {"name": "request_opt_out"},
                                         "entities": []}


def test_shapes_of_details_typed_anywhere_are_not_kept():
    for text in ("is 1748529632 a real uln", "my email is someone@example.org", "born 3/4/2001",
                 "postcode cf10 3at", "14th of march 2002"):
        redacted, _ = redaction.redact([user(text, "faq")])
        assert redacted[0]["text"] == USER_PLACEHOLDER, text


def test_ordinary_talk_and_button_payloads_are_kept():
    events = [user("what is a ULN?", "faq"), bot("A ULN is ...", "utter_faq/uln_what"),
              user("thanks, none of that was hard", "thanks"), user("/deny", "deny"),
              slot("contact_email", "none"), slot("contact_email", None)]
    redacted, changed = redaction.redact(events)
    assert changed == {4}  # only the stale "none" slot value
    assert redacted[:4] == events[:4]


def test_a_declined_email_is_kept_while_the_request_is_open():
    events = [slot("contact_email", "none")]
    assert redaction.redact(events) == (events, set())


def test_redacting_twice_changes_nothing_more():
    once, _ = redaction.redact(open_request() + [slot(name, None) for name in DETAILS])
    twice, changed = redaction.redact(once)
    assert twice == once and changed == set()


def test_an_empty_conversation_is_stored_as_it_is():
    assert redaction.redact([]) == ([], set())


def test_the_page_is_told_which_replies_are_personal_and_which_end_a_request():
    assert redaction.privacy_of_reply("utter_ask_date_of_birth") == "asks"
    assert redaction.privacy_of_reply("utter_ask_status_date_of_birth") == "asks"
    assert redaction.privacy_of_reply("utter_review_request_opt_in") == "shows"
    assert redaction.privacy_of_reply("utter_request_submitted_opt_out") == "end"
    assert redaction.privacy_of_reply("utter_request_cancelled") == "end"
    for ordinary in ("utter_faq/uln_what", "utter_greet", "utter_ask_what_to_correct", None):
        assert redaction.privacy_of_reply(ordinary) is None


def test_the_socket_output_adds_the_flag_to_what_it_emits():
    import asyncio

    from channels.socketio_channel import PLRSocketIOOutput

    class FakeSio:
        def __init__(self):
            self.sent = []

        async def emit(self, event, payload, room=None):
            self.sent.append(payload)

    sio = FakeSio()
    output = PLRSocketIOOutput(sio, "bot_uttered")
    loop = asyncio.new_event_loop()
    loop.run_until_complete(output.send_response("room", {"text": "What is your postcode?",
                                                          "utter_action": "utter_ask_postcode"}))
    loop.run_until_complete(output.send_response("room", {"text": "A ULN is ...",
                                                          "utter_action": "utter_faq/uln_what"}))
    assert sio.sent == [{"text": "What is your postcode?", "privacy": "asks"}, {"text": "A ULN is ..."}]


def test_a_message_of_distress_keeps_its_intent_but_not_its_words():
    events = [user("i dont want to be here anymore", "safeguarding"),
              bot("You are not alone ...", "utter_safeguarding")]
    redacted, _ = redaction.redact(events)
    assert redacted[0]["text"] == USER_PLACEHOLDER
    assert redacted[0]["parse_data"]["intent"]["name"] == "safeguarding"
    assert redacted[1] == events[1]

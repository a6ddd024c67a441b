"""A reply's `language` reaches the web page (issue 22): content/nlg.py marks Welsh replies with
`"language": "cy"`, and the socket output passes it on beside `privacy` so the page can mark the
message `lang="cy"`. Only `en` and `cy` are passed; nothing is added to a reply without one."""
from __future__ import annotations

import asyncio

from channels.socketio_channel import PLRSocketIOOutput


class FakeSio:
    def __init__(self):
        self.sent = []

    async def emit(self, event, payload, room=None):
        self.sent.append(payload)


def _send(*messages):
    sio = FakeSio()
    output = PLRSocketIOOutput(sio, "bot_uttered")
    loop = asyncio.new_event_loop()
    try:
        for message in messages:
            loop.run_until_complete(output.send_response("room", dict(message)))
    finally:
        loop.close()
    return sio.sent


def test_a_welsh_reply_says_so_beside_its_privacy_flag():
    sent = _send(
        {"text": "Beth yw eich cod post?", "utter_action": "utter_ask_postcode", "language": "cy"},
        {"text": "A ULN is ...", "utter_action": "utter_faq/uln_what"},
    )
    assert sent == [{"text": "Beth yw eich cod post?", "privacy": "asks", "language": "cy"},
                    {"text": "A ULN is ..."}]


def test_every_part_of_a_welsh_reply_is_marked_buttons_and_custom_payloads_too():
    sent = _send({
        "text": "Helo.\n\nSut gallaf helpu?",
        "buttons": [{"title": "Beth yw ULN?", "payload": "/faq"}],
        "custom": {"text": "Dolenni:", "links": [{"title": "GOV.UK", "url": "https://www.gov.uk"}]},
        "utter_action": "utter_greet",
        "language": "cy",
    })
    assert [part.get("language") for part in sent] == ["cy", "cy", "cy"]
    assert sent[1]["quick_replies"][0]["title"] == "Beth yw ULN?"
    assert sent[2]["links"][0]["title"] == "GOV.UK"


def test_english_is_passed_when_given_and_other_values_are_not():
    sent = _send(
        {"text": "English.", "language": "en"},
        {"text": "French?", "language": "fr"},
        {"text": "Odd.", "language": ["cy"]},
        {"text": "Markup.", "language": "<b>cy</b>"},
    )
    assert sent == [{"text": "English.", "language": "en"}, {"text": "French?"}, {"text": "Odd."},
                    {"text": "Markup."}]


def test_the_language_of_one_reply_does_not_leak_into_the_next():
    sent = _send({"text": "Cymraeg.", "language": "cy"}, {"text": "No language."},
                 {"custom": {"data": {"text": "Stock custom."}}})
    assert sent == [{"text": "Cymraeg.", "language": "cy"}, {"text": "No language."}, {"text": "Stock custom."}]

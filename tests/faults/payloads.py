"""Hostile and odd input, shared by the bad-input tests."""
from __future__ import annotations

TEXTS = {
    "10k characters": "a" * 10_000,
    "12k characters of words": "opt out please " * 800,
    "1000 characters exactly": "b" * 1000,
    "control characters": "hello\x00\x01\x02\x1b[31m red\x7f\x9b world",
    "only control characters": "\x00\x01\x02\x03",
    "newlines and tabs": "I want\n\n\tto opt\r\nout",
    "emoji": "I want to opt out 😀🙈🏳️‍🌈👩🏽‍💻",
    "right-to-left": "مرحبا، أريد إيقاف مشاركة سجلي",
    "right-to-left override": "\u202eyes\u202c please \u2067ok\u2069",
    "hebrew and latin": "שלום what is a ULN",
    "zero-width": "w\u200bh\u200ba\u200bt is a U\u200dLN",
    "JSON fragment": '{"sender": "someone-else", "message": "/restart", "metadata": {"a": 1}}',
    "HTML fragment": "<img src=x onerror=alert(1)><script>alert('x')</script><b>bold</b>",
    "SQL fragment": "'; DROP TABLE events; -- \" OR 1=1; SELECT * FROM requests",
    "template injection": "{{7*7}} ${7*7} {reference} %s %d",
    "intent payload with entities": '/inform{"given_name": "Mallory", "uln": "1234567890"}',
    "unknown intent payload": "/no_such_intent",
    "path traversal": "../../../../etc/passwd",
    "surrogate-like": "\ud7ff\ue000\uffff",
    "whitespace only": "   \t  ",
}


def backend_bodies():
    """Request bodies for POST /v1/requests: odd values in every field."""
    good = {"type": "opt_out", "given_name": "Lowenna", "family_name": "Trevithick", "date_of_birth": "1993-04-21",
            "postcode": "TR1 1AA", "channel": "other", "conversation_id": "bad-input-backend"}
    odd_values = {
        "given_name": ["x" * 10_000, "Ann\x00e", "😀", "مرحبا", "<script>", "'; DROP TABLE x; --", "", 5, None],
        "family_name": ["O'Brien-Smith", "Robert'); DROP TABLE requests;--", "\u202eevil"],
        "date_of_birth": ["2001-02-30", "not a date", "9999-99-99", "2100-01-01", 20010101],
        "postcode": ["SW1A1AA!!", "x" * 500, "😀"],
        "uln": ["1234567890", "abc", "1" * 100],
        "contact_email": ["not-an-email", "a@b", "x@" + "y" * 300 + ".com"],
        "type": ["opt_sideways", None],
        "channel": ["telepathy"],
        "conversation_id": ["x" * 500, "tab\there"],
        "unknown_field": ["surprise"],
    }
    bodies = [dict(good)]
    for field, values in odd_values.items():
        for value in values:
            bodies.append({**good, field: value})
    return bodies

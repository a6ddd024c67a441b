"""The voice directive in a response's custom payload: read leniently at run time (a slip in
the domain never breaks a call), checked strictly for the domain's own tests."""
from __future__ import annotations

import pytest

from channels.voice_directives import VoiceDirective, directive_problems, parse_directive, with_button_keys


def test_a_full_directive_is_read():
    directive = parse_directive({"voice": {
        "input": "dtmf speech", "keys": {"1": "/affirm", "2": "/deny"}, "num_digits": 10, "finish_on_key": "#",
        "hints": "yes,  no", "keypad": "Key in your ULN, then press hash.", "expect": "email", "then": "transfer",
        "miss": True}})
    assert directive == VoiceDirective(
        inputs=("speech", "dtmf"), keys={"1": "/affirm", "2": "/deny"}, num_digits=10, finish_on_key="#",
        hints="yes, no", keypad="Key in your ULN, then press hash.", expect="email", then="transfer", miss=True)
    assert directive.gather_input == "speech dtmf"


@pytest.mark.parametrize("custom", [None, "voice", {"data": {}}, {"voice": "transfer"}, {"voice": None}])
def test_no_directive_without_a_voice_mapping(custom):
    assert parse_directive(custom) is None


def test_an_empty_directive_listens_for_speech_and_keys():
    directive = parse_directive({"voice": {}})
    assert directive == VoiceDirective() and directive.gather_input == "speech dtmf" and not directive.keys


@pytest.mark.parametrize("field, value", [
    ("input", "telepathy"), ("keys", {"0": "/human_handoff"}), ("keys", {"*": "/x"}), ("keys", {"1": ""}),
    ("keys", ["1"]), ("num_digits", 0), ("num_digits", 21), ("num_digits", "many"), ("finish_on_key", "5"),
    ("then", "explode"), ("expect", "address"), ("miss", "yes"), ("hints", "x" * 501),
])
def test_bad_fields_are_dropped_not_raised(field, value, caplog):
    directive = parse_directive({"voice": {field: value, "then": "hangup"} if field != "then" else {field: value}})
    assert directive is not None
    default = VoiceDirective()
    attribute = {"input": "inputs"}.get(field, field)
    assert getattr(directive, attribute) == getattr(default, attribute)
    assert directive_problems({"voice": {field: value}}), "the domain check reports it"


def test_domain_check_reports_unknown_fields_and_wrong_shapes():
    assert directive_problems(None) == []
    assert directive_problems({"voice": {"then": "hangup"}}) == []
    assert directive_problems({"voice": {"thne": "hangup"}}) == ["unknown field 'thne'"]
    assert directive_problems({"voice": {}, "other": 1})
    assert directive_problems({"voice": ["then"]})


def test_button_order_makes_the_keypad_menu_unless_keys_are_given():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    assert with_button_keys(VoiceDirective(), buttons).keys == {"1": "/affirm", "2": "/deny"}
    own = VoiceDirective(keys={"2": "/deny"})
    assert with_button_keys(own, buttons) is own
    assert with_button_keys(None, buttons) is None
    assert with_button_keys(VoiceDirective(), "not a list").keys == {}

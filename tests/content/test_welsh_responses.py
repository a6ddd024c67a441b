"""Every response has a Welsh version (content/cy/) that the NLG picks in a Welsh conversation.

The Welsh must match its English original in what a channel or an action relies on: the same
variations per channel, the same placeholders, the same button payloads and voice directive
keys. The words are for Welsh readers, so they are not compared.
"""
from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from content import welsh
from content.nlg import ContactDetailsNLG
from tests.unit.domain_files import DOMAIN_DIR

PLACEHOLDER = re.compile(r"{([A-Za-z0-9_]+)}")


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_DIR))


@pytest.fixture(scope="module")
def cymraeg() -> welsh.Responses:
    return welsh.welsh_responses()


def channels(variations):
    return Counter(v.get("channel") for v in variations)


def placeholders(variation) -> set:
    texts = [variation.get("text") or ""] + [b.get("title", "") for b in variation.get("buttons") or []]
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def payloads(variation) -> list:
    return [b.get("payload") for b in variation.get("buttons") or []]


def test_each_welsh_file_mirrors_a_domain_file():
    for path in welsh.WELSH_DIR.glob("*.yml"):
        assert (DOMAIN_DIR / path.name).exists(), f"content/cy/{path.name} has no domain/{path.name}"


def test_every_response_has_welsh_for_every_channel(domain, cymraeg):
    missing = sorted(set(domain.responses) - set(cymraeg))
    assert not missing, f"{len(missing)} responses have no Welsh version: {missing}"
    for name, english in domain.responses.items():
        assert channels(cymraeg[name]) == channels(english), f"{name}: Welsh variations per channel differ"


def test_welsh_keeps_placeholders_payloads_and_voice_keys(domain, cymraeg):
    for name, english in domain.responses.items():
        for channel in channels(english):
            ours = [v for v in english if v.get("channel") == channel]
            theirs = [v for v in cymraeg.get(name, []) if v.get("channel") == channel]
            for en, cy in zip(ours, theirs):
                where = f"{name} ({channel or 'any channel'})"
                assert placeholders(cy) == placeholders(en), f"{where}: placeholders differ"
                assert payloads(cy) == payloads(en), f"{where}: button payloads differ"
                en_voice = (en.get("custom") or {}).get("voice") or {}
                cy_voice = (cy.get("custom") or {}).get("voice") or {}
                # Welsh may add `input: dtmf` (keypad first); it keeps every English key.
                assert set(en_voice) <= set(cy_voice) <= set(en_voice) | {"input"}, f"{where}: voice keys differ"
                assert "condition" not in cy, f"{where}: the English variation's condition is used"


def test_every_welsh_response_has_an_english_original(domain, cymraeg):
    orphans = sorted(set(cymraeg) - set(domain.responses))
    assert not orphans, f"Welsh responses no action can ask for: {orphans}"


def test_a_welsh_response_with_other_variations_is_refused(domain):
    assert "utter_nothing_like_it" not in welsh.paired_with_english(
        domain.responses, {"utter_nothing_like_it": [{"text": "Dim"}]})
    with pytest.raises(ValueError, match="Welsh variations for"):
        welsh.paired_with_english(domain.responses, {"utter_greet": [{"text": "Helo"}]})


def test_welsh_variations_take_their_english_conditions(domain, cymraeg):
    paired = welsh.paired_with_english(domain.responses, cymraeg)
    for name, english in domain.responses.items():
        for en, cy in zip(english, paired.get(name, [])):
            assert cy.get("condition") == en.get("condition"), name


def conditional_responses(domain):
    return [name for name, variations in domain.responses.items()
            if any(v.get("condition") for v in variations)]


def test_a_welsh_conversation_never_gets_an_english_variation(domain, cymraeg):
    """Rendered many times (Rasa picks at random), with and without the slots the conditions
    ask about: every reply comes from the Welsh variations."""
    nlg = ContactDetailsNLG(domain=domain, environ={})
    for name in conditional_responses(domain) or ["utter_greet"]:
        welsh_texts = {v.get("text") for v in cymraeg[name]}
        conditions = [c for v in domain.responses[name] for c in v.get("condition") or []]
        for filled in ({}, {c["name"]: c["value"] for c in conditions}):
            for _ in range(20):
                chosen = nlg._random_response_for(name, "rest", {"language": "cy", **filled})
                assert chosen is not None and chosen.get("text") in welsh_texts, name


def test_two_welsh_files_may_not_define_one_response(tmp_path: Path):
    (tmp_path / "a.yml").write_text("responses:\n  utter_greet:\n    - text: Helo\n")
    (tmp_path / "b.yml").write_text("responses:\n  utter_greet:\n    - text: Shwmae\n")
    with pytest.raises(ValueError, match="already in another Welsh file"):
        welsh.welsh_responses(tmp_path)


def _render(domain, name, language, channel="rest"):
    nlg = ContactDetailsNLG(domain=domain, environ={})
    tracker = DialogueStateTracker.from_events("learner", [SlotSet("language", language)], slots=domain.slots)
    return asyncio.new_event_loop().run_until_complete(nlg.generate(name, tracker, channel))


def test_a_welsh_conversation_gets_welsh_and_an_english_one_english(domain, cymraeg):
    welsh_texts = {v.get("text") for v in cymraeg["utter_greet"] if not v.get("channel")}
    english_texts = {v.get("text") for v in domain.responses["utter_greet"] if not v.get("channel")}
    in_welsh = _render(domain, "utter_greet", "cy")
    assert in_welsh["text"] in welsh_texts and in_welsh["language"] == "cy"
    for language in ("en", None):
        in_english = _render(domain, "utter_greet", language)
        assert in_english["text"] in english_texts and "language" not in in_english


def test_the_phone_gets_the_welsh_voice_variation(domain, cymraeg):
    voice_texts = {v.get("text") for v in cymraeg["utter_greet"] if v.get("channel") == "twilio_voice"}
    rendered = _render(domain, "utter_greet", "cy", channel="twilio_voice")
    assert rendered["text"] in voice_texts and rendered["language"] == "cy"


def test_welsh_fills_contact_placeholders(domain, cymraeg):
    name = next(n for n, vs in cymraeg.items() if any("{helpdesk_phone}" in (v.get("text") or "") for v in vs))
    rendered = _render(domain, name, "cy")
    assert "{helpdesk_phone}" not in rendered["text"]


def test_the_welsh_follow_the_responses_rasa_sets_after_loading_a_model(domain, cymraeg):
    """Rasa's Agent builds the NLG with an empty domain, then assigns the model's responses."""
    nlg = ContactDetailsNLG(domain=None, environ={})
    assert nlg.welsh == {}
    nlg.responses = domain.responses
    chosen = nlg._random_response_for("utter_greet", "rest", {"language": "cy"})
    assert chosen["text"] in {v.get("text") for v in cymraeg["utter_greet"]}

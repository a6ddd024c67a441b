"""Every response a caller can hear has a telephone variation that the channel can speak:
scripts/add_voice_variations.py --check over the real domain, and its rules on examples."""
from __future__ import annotations

import difflib
import shutil

import pytest
import yaml

from scripts.add_voice_variations import DOMAIN_DIR, add, auto_voice_text, problems, response_problems

TEL = '<say-as interpret-as="telephone">0345 602 2589</say-as>'


def test_every_response_has_a_voice_variation_that_follows_the_rules():
    found = problems()
    assert found == [], "run: .venv/bin/python scripts/add_voice_variations.py --check\n" + "\n".join(found)


def screen(text, **extra):
    return {"text": text, **extra}


def voice(text, **extra):
    return {"channel": "twilio_voice", "text": text, **extra}


@pytest.mark.parametrize("variations, expected", [
    ([screen("Hi.")], "no twilio_voice variation"),
    ([screen("Call 0345 602 2589."), voice("Call the helpdesk.")], "leaves out numbers"),
    ([screen("See gov.uk/x."), voice("See gov.uk/x.")], "says a web address"),
    ([screen("Email a@b.co."), voice("Email a@b.co.")], "says an email address"),
    ([screen("Your PLR (record)."), voice("Your PLR (record).")], "markdown, brackets"),
    ([screen("Hi **you**."), voice("Hi **you**.")], "markdown, brackets"),
    ([screen("Hi."), voice('Hi <prosody rate="fast">there</prosody>.')], "markup the channel does not speak"),
    ([screen("Hi {name}."), voice("Hi {name}, {secret}.")], "variables the response does not have"),
    ([screen("Yes?", buttons=[{"title": "Yes", "payload": "/affirm"}]), voice("Yes?")], "buttons differ"),
    ([screen("Yes?", buttons=[{"title": "Yes", "payload": "/affirm"}]),
      voice("Yes?", buttons=[{"title": "Yes", "payload": "/affirm"}])], "never says which key"),
    ([screen("Hi."), voice("Hi.", custom={"voice": {"then": "explode"}})], "directive: then"),
    ([screen("Hi.", condition=[{"type": "slot", "name": "x", "value": None}]), screen("Ho."), voice("Ho.")],
     "no voice variation for condition"),
    ([screen("Hi."), voice(" ".join(["word"] * 31) + ".")], "a sentence of 31 words"),
])
def test_the_rules_catch(variations, expected):
    assert any(expected in problem for problem in response_problems(variations)), response_problems(variations)


def test_a_good_variation_passes():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    variations = [screen("Call 0345 602 2589 (the helpdesk). Start?", buttons=buttons),
                  voice(f"Call the helpdesk on {TEL}. Start? Say yes or no, or press 1 or 2.", buttons=buttons,
                        custom={"voice": {"num_digits": 1}})]
    assert response_problems(variations) == []


def test_drafts_mark_numbers_and_codes_for_reading():
    assert auto_voice_text("Your Personal Learning Record (PLR) is held by DfE. Call 0345 602 2589.") == (
        'Your Personal Learning Record is held by <sub alias="D F E">DfE</sub>. '
        f"Call {TEL}.")
    assert auto_voice_text("Write to Leeds LS1 4AW (the DPO).") == (
        'Write to Leeds <say-as interpret-as="characters">LS1 4AW</say-as>, the DPO.')


def test_add_fills_gaps_and_leaves_everything_else_as_it_was(tmp_path):
    domain = tmp_path / "domain"
    shutil.copytree(DOMAIN_DIR, domain)
    target = domain / "zz_new.yml"
    target.write_text(
        'version: "3.1"\n# a new skill\nresponses:\n  utter_new:\n    - text: "Call 0345 602 2589 (helpdesk)."\n'
        "      buttons:\n        - title: \"Yes\"\n          payload: \"/affirm\"\n"
        "        - title: \"No\"\n          payload: \"/deny\"\n  utter_hours:\n    - condition:\n"
        "        - type: slot\n          name: helpdesk_hours\n          value: null\n      text: \"Closed.\"\n"
        "    - text: \"Open {helpdesk_hours}.\"\n", encoding="utf-8")
    before = {path.name: path.read_text(encoding="utf-8") for path in domain.glob("*.yml")}
    changed = add(domain, {"utter_hours": [{"text": "It's closed."}, {"text": "Open {helpdesk_hours}."}]})
    assert set(changed) >= {"utter_new", "utter_hours"}
    after = target.read_text(encoding="utf-8")
    assert after.startswith(before["zz_new.yml"].split("  utter_hours:")[0].rstrip("\n"))
    assert "# a new skill" in after and "value: null" in after
    data = yaml.safe_load(after)["responses"]
    new_voice = [v for v in data["utter_new"] if v.get("channel") == "twilio_voice"]
    assert new_voice[0]["text"] == f"Call {TEL}, helpdesk. Say yes or no, or press 1 or 2."
    assert new_voice[0]["buttons"] == data["utter_new"][0]["buttons"]
    hours = [v for v in data["utter_hours"] if v.get("channel") == "twilio_voice"]
    assert hours[0]["condition"] == data["utter_hours"][0]["condition"] and "condition" not in hours[1]
    # A second run finds nothing to add and changes nothing.
    snapshot = {path.name: path.read_text(encoding="utf-8") for path in domain.glob("*.yml")}
    add(domain)
    assert snapshot == {path.name: path.read_text(encoding="utf-8") for path in domain.glob("*.yml")}
    for name, original in before.items():
        # Only additions: every line that was there is still there, in the same order.
        removed = [line for line in difflib.ndiff(original.splitlines(), snapshot[name].splitlines())
                   if line.startswith("- ")]
        assert removed == [], (name, removed[:3])

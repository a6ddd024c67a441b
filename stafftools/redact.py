"""Replaces a learner's personal details in an exported conversation with synthetic ones.

A real conversation must never become a test file as it was: names, dates of birth,
postcodes, ULNs, emails and references are swapped for fixed synthetic values, the same
original always for the same stand-in, so the story still reads naturally.

Two passes: (1) every value the tracker saw in a personal slot, and anything shaped like a
ULN, email, postcode, reference or date, is replaced where it occurs; (2) an answer given
while the form asked for a personal detail, in which pass 1 recognised nothing (a spoken
ULN, say), is replaced as a whole by the stand-in for that detail.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

SYNTHETIC = {
    "given_name": ["Alex", "Sam", "Robin", "Jo"],
    "family_name": ["Example", "Sample", "Testing", "Placeholder"],
    "previous_family_name": ["Formerly", "Oldname"],
    "date_of_birth": ["2001-01-01", "2000-02-02"],
    "status_date_of_birth": ["2001-01-01", "2000-02-02"],
    "postcode": ["SW1A 1AA", "M1 1AE"],
    "uln": ["1000000043", "1234567899"],
    "contact_email": ["learner@example.com", "someone@example.org"],
    "status_reference": ["PLR-AAAA-BBBB", "PLR-CCCC-DDDD"],
}
SPOKEN_DATE = {"2001-01-01": "1 January 2001", "2000-02-02": "2 February 2000"}
PATTERNS = [
    ("contact_email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("status_reference", re.compile(r"\bPLR[\s-]*[A-Z0-9]{4}[\s-]*[A-Z0-9]{4}\b", re.I)),
    ("uln", re.compile(r"(?<!\d)\d(?:[\s-]?\d){9}(?!\d)")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    ("date_of_birth", re.compile(
        r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|"
        r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{2,4}\b",
        re.I)),
]


class Redactor:
    def __init__(self, personal_slots: Iterable[str]) -> None:
        self.personal = set(personal_slots)
        self.mapping: Dict[str, str] = {}  # lower-cased original -> stand-in
        self.used: Dict[str, int] = {}

    @staticmethod
    def _key(slot: str, original: Any) -> str:
        """The same detail typed or spoken differently is one key ("one seven four..." = "174...")."""
        text = str(original).strip()
        try:
            from plr_common import check_postcode, check_uln

            checker = {"uln": check_uln, "postcode": check_postcode}.get(slot)
            checked = checker(text) if checker else None
            if checked is not None and checked.ok:
                text = str(checked.value)
        except ImportError:  # the validators are installed in the Rasa venv; without them keys stay raw
            pass
        return text.lower()

    def stand_in(self, slot: str, original: Any) -> Any:
        if original is None or isinstance(original, bool) or slot not in SYNTHETIC:
            return original
        key = self._key(slot, original)
        if key not in self.mapping:
            options = SYNTHETIC[slot]
            self.mapping[key] = options[self.used.get(slot, 0) % len(options)]
            self.used[slot] = self.used.get(slot, 0) + 1
        return self.mapping[key]

    def learn(self, slot: str, value: Any) -> None:
        """A value the tracker saw in a personal slot (its typed forms are learnt too)."""
        if slot in self.personal and isinstance(value, str) and value.strip():
            stand_in = self.stand_in(slot, value)
            if slot == "uln":
                self.mapping.setdefault(" ".join([value[:4], value[4:7], value[7:]]).lower(), stand_in)
            if slot == "postcode":
                self.mapping.setdefault(value.replace(" ", "").lower(), stand_in)

    def text(self, text: str) -> str:
        """Pass 1: known values, then anything shaped like personal data."""
        result = text
        for original in sorted(self.mapping, key=len, reverse=True):
            if len(original) < 2:
                continue
            stand_in = self.mapping[original]
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", stand_in):
                stand_in = SPOKEN_DATE.get(stand_in, stand_in)
            result = re.sub(rf"(?<!\w){re.escape(original)}(?!\w)", stand_in, result, flags=re.I)
        for slot, pattern in PATTERNS:
            def swap(match: re.Match, slot=slot) -> str:
                stand_in = self.stand_in(slot, match.group(0))
                return SPOKEN_DATE.get(stand_in, stand_in)
            result = pattern.sub(lambda m, swap=swap: m.group(0) if m.group(0) in self.mapping.values()
                                 or m.group(0) in SPOKEN_DATE.values() else swap(m), result)
        return result

    def answer(self, text: str, requested_slot: Optional[str]) -> str:
        """Pass 1, and pass 2 for an answer to a personal question that pass 1 left untouched."""
        redacted = self.text(text)
        if redacted == text and requested_slot in self.personal and requested_slot in SYNTHETIC \
                and not text.startswith("/"):
            stand_in = self.stand_in(requested_slot, text)
            return SPOKEN_DATE.get(stand_in, stand_in)
        return redacted


def user_turns(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Each user message with the slot the form had asked for when it arrived."""
    requested, turns = None, []
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif event.get("event") == "active_loop" and not event.get("name"):
            requested = None
        elif event.get("event") == "user":
            turns.append({"text": event.get("text") or "", "requested_slot": requested})
    return turns


def redact_story(stories: Dict[str, Any], events: List[Dict[str, Any]], redactor: Redactor) -> Dict[str, Any]:
    """The test-story document with every personal value replaced."""
    for event in events:
        if event.get("event") == "slot":
            redactor.learn(event.get("name"), event.get("value"))
    turns = user_turns(events)
    for story in stories.get("stories") or []:
        cursor = 0
        for step in story.get("steps") or []:
            if "user" in step:
                plain = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", lambda m: m.group(1) or m.group(2),
                               str(step["user"])).strip()
                requested = None
                for i in range(cursor, len(turns)):
                    if turns[i]["text"].strip() == plain:
                        requested, cursor = turns[i]["requested_slot"], i + 1
                        break
                step["user"] = redactor.answer(str(step["user"]), requested)
            for slot_step in step.get("slot_was_set") or []:
                if isinstance(slot_step, dict):
                    for name, value in list(slot_step.items()):
                        if name in redactor.personal:
                            slot_step[name] = redactor.stand_in(name, value)
            for entity in step.get("entities") or []:
                if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                    entity["value"] = redactor.text(entity["value"])
    return stories

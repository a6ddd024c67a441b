"""How easy the assistant's answers are to read: the Flesch-Kincaid grade of every response.

Every variation of every response in domain/ is scored as a learner would get it: contact
placeholders filled with their values (content/contacts.py), the conversation's own
placeholders ({reference}, {field_label}, ...) with typical values, SSML tags taken out
(the words a `<sub>` speaks stay), and each web or email address counted as one short word:
a reader follows a link or copies an address, and does not read it out syllable by syllable
(a formula made for prose would count "gov.uk/government/publications/..." as one word of
fifteen syllables). The read-backs of a request (utter_review_request_*) are
left out: they are a list of the learner's own details, not sentences.

GOV.UK writes for a reading age of about 9; tests/unit/test_plain_english.py holds every
answer to grade 8 at most and the average to 6.5 at most, and `make eval` prints the figures
(`python -m content.readability`).
"""
from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import yaml

from content import contacts

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = ROOT / "domain"
MAX_GRADE = 8.0
MAX_AVERAGE = 6.5
# Responses that are a list of the learner's own details, not prose.
READ_BACKS = re.compile(r"^utter_review_request_")
# Typical values for the placeholders that a conversation fills in.
SAMPLE_VALUES: Dict[str, str] = {
    "reference": "PLR-7K3M-9QXD",
    "field_label": "postcode",
    "helpdesk_hours": "on weekdays",
    "fallback_option_1_title": "Finding your ULN",
    "fallback_option_2_title": "What a ULN is",
}
_PLACEHOLDER = re.compile(r"{([A-Za-z0-9_]+)}")
_SUB = re.compile(r'<sub\s+alias="([^"]*)"\s*>[^<]*</sub>')
_TAG = re.compile(r"<[^>]+>")
_ADDRESS = re.compile(r"\S+@\S+\.\w+|\b(?:[a-z0-9-]+\.)+(?:uk|com|org|net|gov|cymru)\b(?:/\S*\w)?", re.IGNORECASE)


@dataclass(frozen=True)
class Scored:
    response: str
    channel: Optional[str]
    text: str  # as scored: placeholders filled, SSML out
    grade: float

    @property
    def label(self) -> str:
        return f"{self.response} ({self.channel or 'text'})"


def plain_text(text: str, values: Optional[Dict[str, str]] = None) -> str:
    """A response's words as a learner reads or hears them."""
    values = {**SAMPLE_VALUES, **contacts.values(), **(values or {})}
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(1).replace("_", " ")), text)
    text = _SUB.sub(lambda m: m.group(1), text)  # a <sub> is heard as its alias
    text = _TAG.sub("", text)
    return " ".join(text.split())


def scored_text(text: str) -> str:
    """What the formula reads: web and email addresses as one short word each."""
    return _ADDRESS.sub("link", text)


def response_texts(domain_dir: Path = DOMAIN_DIR) -> Iterator[tuple]:
    """(response, channel, raw text) of every variation in every domain file."""
    for path in sorted(domain_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for response, variations in (document.get("responses") or {}).items():
            for variation in variations or []:
                if variation.get("text"):
                    yield response, variation.get("channel"), variation["text"]


def grade(text: str) -> float:
    import textstat  # imported here so that the rest of content/ does not need it

    return float(textstat.flesch_kincaid_grade(text))


def scores(domain_dir: Path = DOMAIN_DIR) -> List[Scored]:
    """The grade of every variation that is prose (read-backs left out)."""
    scored = []
    for response, channel, raw in response_texts(domain_dir):
        if READ_BACKS.match(response):
            continue
        text = plain_text(raw)
        scored.append(Scored(response, channel, text, grade(scored_text(text))))
    return scored


def average(scored: List[Scored]) -> float:
    return statistics.fmean(s.grade for s in scored)


def report(scored: List[Scored], top: int = 10) -> str:
    """The figures `make eval` prints: average, maximum and the hardest answers."""
    ranked = sorted(scored, key=lambda s: s.grade, reverse=True)
    over = [s for s in ranked if s.grade > MAX_GRADE]
    lines = [
        f"Readability (Flesch-Kincaid grade, textstat) of {len(scored)} response variations:",
        f"  average {average(scored):.2f} (target <= {MAX_AVERAGE}), "
        f"median {statistics.median(s.grade for s in scored):.2f}, "
        f"maximum {ranked[0].grade:.2f} (target <= {MAX_GRADE}), {len(over)} over the target",
        f"  hardest {min(top, len(ranked))}:",
    ]
    lines += [f"    {s.grade:5.2f}  {s.label}" for s in ranked[:top]]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    scored = scores()
    print(report(scored, top=len(scored) if "--all" in argv else 10))
    ok = max(s.grade for s in scored) <= MAX_GRADE and average(scored) <= MAX_AVERAGE
    return 0 if ok or "--no-fail" in argv else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

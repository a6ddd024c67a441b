"""Finding a learner's details inside a free-text message.

A learner may answer one question with several details ("I'm Jane Smith, born 3/4/2001,
postcode SW1A 1AA"). The form asks for one field at a time; this module finds the others
in the same message so that none has to be asked again. Every value found here is still
validated by the form's validators before it is kept.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Tuple

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)"),
    re.compile(r"(?<!\d)\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\.?,?\s+(?:\d{{4}}|'?\d{{2}})\b", re.I),
    re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|'?\d{{2}})\b", re.I),
]
# Outward code, optional space, inward code (the form's validator checks the letters in detail).
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.I)
_ULN = re.compile(r"(?<![\d-])([1-9](?:[ \-]?\d){9})(?![\d-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*"
# "I'm Jane Smith", "my name is Jane Smith", "this is Jane" (the words after the phrase).
_FULL_NAME = re.compile(
    rf"\b(?:i am|i'm|im|my name is|my name's|name is|name's|this is|it's|call me)\s+"
    rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})",
    re.I,
)
_NOT_NAME_WORDS = {"and", "born", "my", "postcode", "from", "on", "at", "in", "the", "i", "dob", "date",
                   "email", "uln", "number", "is", "was", "but", "so", "living", "live", "looking",
                   "trying", "not", "sure", "here", "calling", "ringing", "wanting", "opting"}
# Phrases people put before an answer: "it's Jane", "my surname is Smith", "postcode is ...".
_ANSWER_PREFIX = re.compile(
    r"^\s*(?:(?:yes|yeah|yep|ok|okay|sure|right|well|um+|er+|erm|uh|so)[\s,.!]+)*"
    r"(?:(?:it'?s|it is|that'?s|that is|i'?m|i am|my|the|its)\s+)?"
    r"(?:(?:first|given|christian|fore|family|last|sur|maiden|previous|old|middle)\s*names?\s*"
    r"(?:is|was|are|=|:)?\s*|names?\s+(?:is|was)\s+|surname\s+(?:is|was)?\s*|"
    r"post\s*code\s*(?:is|=|:)?\s*|email(?:\s+address)?\s*(?:is|=|:)?\s*|"
    r"(?:date of birth|dob|birthday)\s*(?:is|=|:)?\s*|uln\s*(?:is|=|:)?\s*|number\s*(?:is|=|:)?\s*|"
    r"born\s+(?:on\s+)?)?",
    re.I,
)


def strip_answer_prefix(text: str) -> str:
    """'my surname is Smith.' -> 'Smith' ; 'it's 12 March 2001' -> '12 March 2001'."""
    stripped = _ANSWER_PREFIX.sub("", text or "", count=1).strip()
    return stripped.rstrip(".!").strip()


def find_dates(text: str) -> List[str]:
    found: List[Tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        found += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    return [value for _, value in sorted(found)]


def find_postcode(text: str) -> Optional[str]:
    match = _POSTCODE.search(text)
    return f"{match.group(1)} {match.group(2)}".upper() if match else None


def find_uln(text: str) -> Optional[str]:
    match = _ULN.search(text)
    return re.sub(r"\D", "", match.group(1)) if match else None


def find_email(text: str) -> Optional[str]:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def find_full_name(text: str, entities: Iterable[Dict] = ()) -> Optional[Tuple[str, Optional[str]]]:
    """(given, family) from 'I'm Jane Smith', or from spaCy's PERSON entity as a fallback."""
    match = _FULL_NAME.search(text)
    words: List[str] = []
    if match:
        for word in match.group(1).split():
            if word.lower() in _NOT_NAME_WORDS:
                break
            words.append(word)
    if not words:
        people = [e.get("value") for e in entities if e.get("entity") == "PERSON" and e.get("value")]
        if people:
            words = [w for w in str(people[0]).split() if w.lower() not in _NOT_NAME_WORDS]
    if not words:
        return None
    return words[0], (" ".join(words[1:]) or None)


def find_details(text: str, entities: Iterable[Dict] = ()) -> Dict[str, str]:
    """Candidate values by slot name; the caller validates each before keeping it."""
    entities = list(entities)
    details: Dict[str, str] = {}
    dates = find_dates(text) or [e["value"] for e in entities if e.get("entity") == "DATE" and e.get("value")]
    if dates:
        details["date_of_birth"] = dates[0]
    email = find_email(text)
    if email:
        details["contact_email"] = email
        text = text.replace(email, " ")
    postcode = find_postcode(text)
    if postcode:
        details["postcode"] = postcode
    uln = find_uln(text)
    if uln:
        details["uln"] = uln
    name = find_full_name(text, entities)
    if name:
        details["given_name"] = name[0]
        if name[1]:
            details["family_name"] = name[1]
    return details

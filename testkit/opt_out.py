"""The opt-out conversation the scale and fault tests drive, with synthetic people only."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Tuple

REFERENCE = re.compile(r"PLR-[A-Z0-9]{4}-[A-Z0-9]{4}")
QUEUED = "saved your request"


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    dob_typed: str
    dob_iso: str
    postcode: str
    uln: str

    @property
    def personal_values(self) -> List[str]:
        return [self.given, self.family, self.dob_typed, self.dob_iso, self.postcode, self.uln]


# Check digits valid (plr-facts.md section 5); names and postcodes invented.
ALYS = Person("Alys", "Pryderi", "14/07/1999", "1999-07-14", "CF10 3AT", "1748529632")
BRONWEN = Person("Bronwen", "Maddocks", "2/11/2003", "2003-11-02", "LS6 3QW", "1000000043")
CAITLIN = Person("Caitlin", "Ormsby", "23/05/2001", "2001-05-23", "NE1 4ST", "1748529632")
DERWA = Person("Derwa", "Quenby", "8/1/1997", "1997-01-08", "BS1 5TR", "1000000043")
EIRLYS = Person("Eirlys", "Tremayne", "30/9/2000", "2000-09-30", "EX4 6PX", "1748529632")


def opt_out_steps(person: Person) -> List[Tuple[str, str]]:
    """(learner's message, text the answer must contain) up to the read-back; then "yes" sends."""
    return [
        ("I want to opt out", "LRS team"),
        ("yes", "first name"),
        (f"I'm {person.given} {person.family}, born {person.dob_typed}, postcode {person.postcode}",
         "different family name"),
        ("no", "ULN"),
        ("yes", "10-digit"),
        (person.uln, "email"),
        ("no", "Here is what you told me"),
    ]


EXPECTED_SLOTS_AFTER_NAMES = ("given_name", "family_name", "date_of_birth", "postcode")


def check_record(record: dict, person: Person, sender: str) -> None:
    expected = {"type": "opt_out", "given_name": person.given, "family_name": person.family,
                "date_of_birth": person.dob_iso, "postcode": person.postcode, "uln": person.uln,
                "conversation_id": sender}
    for field, value in expected.items():
        assert record[field] == value, (field, record[field], value)

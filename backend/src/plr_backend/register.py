"""The synthetic learner register: generate a CSV of made-up learners, and load one.

Every generated person is obviously fictional (family names start with "Testlearner-" or
"Synth"), with a ULN that passes the LRS check digit, a plausible date of birth and a postcode in
UK format. A few pairs share name, date of birth and postcode on purpose, so that `ambiguous`
can be exercised.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from plr_common import check_date_of_birth, check_name, check_postcode, check_uln

from .crypto import Vault
from .db import Database
from .models import RegisterLearner
from .settings import REPO_ROOT
from .store import utcnow

DEFAULT_PATH = REPO_ROOT / "var" / "register" / "learners.csv"
COLUMNS = ("uln", "given_name", "family_name", "previous_family_name", "date_of_birth", "postcode")

GIVEN = (
    "Ada",
    "Bryn",
    "Cai",
    "Dilys",
    "Eira",
    "Ffion",
    "Gethin",
    "Hana",
    "Idris",
    "Jude",
    "Kit",
    "Lowri",
    "Mabli",
    "Nia",
    "Osian",
    "Priya",
    "Quinn",
    "Rhys",
    "Sian",
    "Tomos",
    "Una",
    "Vik",
    "Wren",
    "Yusuf",
    "Zoë",
    "Aoife",
    "Siân",
    "Mair",
    "Jo-Ann",
    "Ffransis",
)
FAMILY_STEMS = (
    "Alder",
    "Birch",
    "Cedar",
    "Damson",
    "Elm",
    "Fern",
    "Gorse",
    "Hazel",
    "Ivy",
    "Juniper",
    "Larch",
    "Maple",
    "Nettle",
    "Oak",
    "Poplar",
    "Rowan",
    "Sorrel",
    "Thyme",
    "Willow",
    "Yarrow",
)
OUTWARD = ("CV1", "LS1", "B33", "M1", "CF10", "SA1", "BT7", "LL57", "NE1", "BS1", "SW1A", "EC1A", "W1A", "NP20")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class RegisterError(ValueError):
    pass


@dataclass(frozen=True)
class RegisterRow:
    uln: str
    given_name: str
    family_name: str
    previous_family_name: str | None
    date_of_birth: str
    postcode: str


def make_uln(rng: random.Random) -> str:
    while True:
        head = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        remainder = sum(int(d) * w for d, w in zip(head, range(10, 1, -1), strict=False)) % 11
        if remainder:  # r == 0 has no valid check digit
            return head + str(10 - remainder)


def synthetic_learners(count: int, seed: int, today: date, ambiguous_pairs: int = 3) -> list[RegisterRow]:
    rng = random.Random(seed)
    rows: list[RegisterRow] = []
    seen_ulns: set[str] = set()
    while len(rows) < count:
        uln = make_uln(rng)
        if uln in seen_ulns:
            continue
        seen_ulns.add(uln)
        family = (
            f"Testlearner-{rng.choice(FAMILY_STEMS)}"
            if rng.random() < 0.5
            else f"Synth{rng.choice(FAMILY_STEMS).lower()}"
        )
        previous = f"Synth{rng.choice(FAMILY_STEMS).lower()}" if rng.random() < 0.1 else None
        # Ages 14 to 60: ULNs are issued from 14.
        born = today - timedelta(days=rng.randint(14 * 366, 60 * 365))
        postcode = f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        rows.append(RegisterRow(uln, rng.choice(GIVEN), family, previous, born.isoformat(), postcode))
    # Twins in the data: same identity details, different ULNs.
    for index in range(min(ambiguous_pairs, len(rows))):
        twin_of = rows[index * 7]
        uln = make_uln(rng)
        while uln in seen_ulns:
            uln = make_uln(rng)
        seen_ulns.add(uln)
        rows.append(
            RegisterRow(uln, twin_of.given_name, twin_of.family_name, None, twin_of.date_of_birth, twin_of.postcode)
        )
    return rows


def write_csv(rows: Iterable[RegisterRow], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([getattr(row, column) or "" for column in COLUMNS])
            count += 1
    return count


def read_csv(path: Path, today: date) -> list[RegisterRow]:
    """Validate every row with the same rules as requests; report problems by line and field only."""
    problems: list[str] = []
    rows: list[RegisterRow] = []
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise RegisterError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c != "previous_family_name" and c not in (reader.fieldnames or [])]
        if missing:
            raise RegisterError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, record in enumerate(reader, start=2):
            checks = {
                "uln": check_uln(record.get("uln") or ""),
                "given_name": check_name(record.get("given_name") or ""),
                "family_name": check_name(record.get("family_name") or ""),
                "date_of_birth": check_date_of_birth(record.get("date_of_birth") or "", today),
                "postcode": check_postcode(record.get("postcode") or ""),
            }
            previous_raw = (record.get("previous_family_name") or "").strip()
            if previous_raw:
                checks["previous_family_name"] = check_name(previous_raw)
            bad = [f"{field} ({result.error})" for field, result in checks.items() if not result.ok]
            if bad:
                problems.append(f"line {line}: " + ", ".join(bad))
                continue
            values = {field: result.value for field, result in checks.items() if result.value is not None}
            rows.append(
                RegisterRow(
                    uln=values["uln"],
                    given_name=values["given_name"],
                    family_name=values["family_name"],
                    previous_family_name=values.get("previous_family_name"),
                    date_of_birth=values["date_of_birth"],
                    postcode=values["postcode"],
                )
            )
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise RegisterError(f"{path}: {len(problems)} invalid row(s), nothing loaded:\n  {shown}{more}")
    return rows


def load(db: Database, vault: Vault, rows: list[RegisterRow]) -> int:
    """Replace the whole register in one transaction: readers see the old one or the new one."""
    now = utcnow()
    with db.writing() as session:
        session.execute(delete(RegisterLearner))
        for row in rows:
            previous_hash = (
                vault.identity_hash(row.given_name, row.previous_family_name, row.date_of_birth, row.postcode)
                if row.previous_family_name
                else None
            )
            session.add(
                RegisterLearner(
                    uln_hash=vault.uln_hash(row.uln),
                    identity_hash=vault.identity_hash(row.given_name, row.family_name, row.date_of_birth, row.postcode),
                    previous_identity_hash=previous_hash,
                    personal=vault.seal(asdict(row)),
                    loaded_at=now,
                )
            )
    return len(rows)


def size(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(RegisterLearner)) or 0

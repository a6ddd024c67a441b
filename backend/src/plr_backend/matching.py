"""Identity pre-check against the learner register, for staff eyes only.

A request matches a register entry on its ULN, or on given name + family name (current or
previous) + date of birth + postcode. One candidate is `matched`, several are `ambiguous`
(including a ULN that points at one learner while the details point at another), none is
`no_match`. Only keyed hashes are compared; the register's personal fields stay encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .crypto import Vault
from .models import RegisterLearner


def identity_hashes(vault: Vault, fields: Mapping[str, Any]) -> set[str]:
    families = {fields["family_name"]}
    if fields.get("previous_family_name"):
        families.add(fields["previous_family_name"])
    return {
        vault.identity_hash(fields["given_name"], family, fields["date_of_birth"], fields["postcode"])
        for family in families
    }


def match_register(session: Session, vault: Vault, fields: Mapping[str, Any]) -> str:
    candidates: set[int] = set()
    if fields.get("uln"):
        candidates.update(
            session.scalars(select(RegisterLearner.id).where(RegisterLearner.uln_hash == vault.uln_hash(fields["uln"])))
        )
    hashes = identity_hashes(vault, fields)
    candidates.update(
        session.scalars(
            select(RegisterLearner.id).where(
                or_(RegisterLearner.identity_hash.in_(hashes), RegisterLearner.previous_identity_hash.in_(hashes))
            )
        )
    )
    if not candidates:
        return "no_match"
    return "matched" if len(candidates) == 1 else "ambiguous"

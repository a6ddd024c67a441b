"""The one result type every checker returns."""

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Checked:
    """A normalised value, or a stable machine error code; never both.

    Callers map ``error`` to a re-prompt; the codes are part of the API and never change meaning.
    """

    value: Optional[str]
    error: Optional[str]

    def __post_init__(self) -> None:
        if (self.value is None) == (self.error is None):
            raise ValueError("Checked needs exactly one of value and error")

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def valid(cls, value: str) -> "Checked":
        return cls(value=value, error=None)

    @classmethod
    def invalid(cls, code: str) -> "Checked":
        return cls(value=None, error=code)

    def __repr__(self) -> str:
        # Values are personal data: keep them out of reprs that may end up in logs or tracebacks.
        return f"Checked(ok={self.ok}, error={self.error!r})"

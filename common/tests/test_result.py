import dataclasses

import pytest

from plr_common import Checked, check_uln


@pytest.mark.parametrize(
    "value, error, ok",
    [("SW1A 1AA", None, True), (None, "postcode_format", False)],
)
def test_exactly_one_of_value_and_error(value, error, ok):
    assert Checked(value, error).ok is ok


@pytest.mark.parametrize("value, error", [(None, None), ("x", "code")])
def test_both_or_neither_is_refused(value, error):
    with pytest.raises(ValueError):
        Checked(value, error)


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Checked.valid("x").value = "y"  # type: ignore[misc]


def test_repr_hides_the_value():
    # Reprs end up in logs and tracebacks; a ULN must not.
    assert "1748529632" not in repr(check_uln("1748529632"))

"""The CSV export cannot smuggle a formula into a spreadsheet."""
from plr_console.csvexport import COLUMNS, safe_cell, to_csv


def test_formula_starts_are_neutralised():
    for dangerous in ("=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    for plain in ("Jane", "O'Brien", "SW1A 1AA", "", None, 1748529632):
        assert safe_cell(plain) == ("" if plain is None else str(plain))


def test_rows_follow_the_columns():
    text = to_csv([{"reference": "PLR-2345-6789", "given_name": "=cmd", "status": "received"}])
    header, row = text.splitlines()
    assert header.split(",") == list(COLUMNS)
    cells = row.split(",")
    assert cells[0] == "PLR-2345-6789" and cells[COLUMNS.index("given_name")] == "'=cmd"

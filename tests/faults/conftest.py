"""tests/faults: faults and bad input against the scaled-out stack (shared with tests/scale)."""
from tests.faults import tally
from tests.scale.scaled_fixture import scaled  # noqa: F401  (the shared session fixture)


def pytest_terminal_summary(terminalreporter):
    if tally.TALLY:
        terminalreporter.section("bad input and floods: what was tried, by route and outcome")
        for line in tally.lines():
            terminalreporter.write_line(line)
        tally.save()

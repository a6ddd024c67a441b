"""tests/scale: the scaled-out stack (two Rasa servers, PostgreSQL, Redis, nginx)."""
from tests.scale.scaled_fixture import scaled  # noqa: F401  (the shared session fixture)


def pytest_configure(config):
    config.addinivalue_line("markers", "kills_a_server: leaves a Rasa server dead; runs after every other test")


def pytest_collection_modifyitems(session, config, items):
    # Tests on the scaled stack (tests/faults, tests/scale) run together at the end of the run,
    # so its two Rasa servers are up only while needed; the test that kills one of them is the
    # very last. The sort is stable: everything else keeps its order.
    def rank(item):
        if item.get_closest_marker("kills_a_server"):
            return 2
        return 1 if "scaled" in getattr(item, "fixturenames", ()) else 0

    items.sort(key=rank)

"""tests/scale: the scaled-out stack (two Rasa servers, PostgreSQL, Redis, nginx)."""
from tests.scale.scaled_fixture import scaled  # noqa: F401  (the shared session fixture)


def pytest_configure(config):
    config.addinivalue_line("markers", "kills_a_server: leaves a Rasa server dead; runs after every other test")


def pytest_collection_modifyitems(session, config, items):
    # Stable: everything else keeps its order; the destructive tests go last.
    items.sort(key=lambda item: item.get_closest_marker("kills_a_server") is not None)

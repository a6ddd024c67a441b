# TEMPORARY (dev only, remove before hand-over): the backend has no `make run` yet.
import pytest


@pytest.fixture(scope="session")
def stack(tmp_path_factory, trained_model):
    from testkit.ports import free_port
    from testkit.stack import Stack, StackConfig

    workdir = tmp_path_factory.mktemp("stack")
    config = StackConfig(rasa_port=free_port(), action_port=free_port(), backend_port=free_port(),
                         web_port=free_port(), model=trained_model, log_dir=workdir / "log",
                         with_web=False, with_backend=False)
    with Stack(config) as running:
        yield running

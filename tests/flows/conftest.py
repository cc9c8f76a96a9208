"""One Prefect test harness for the whole session, and only for tests/flows/ (it costs ~10 s)."""

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(autouse=True, scope="session")
def prefect_harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield

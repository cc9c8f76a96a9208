"""One Prefect test harness for the whole session, and only for tests/flows/ (it costs ~10 s)."""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network: no telemetry errors

import pytest  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(autouse=True)
def _harness(request):
    """Every flow test runs under the session harness, except the real-server test (it starts
    its own `prefect server` and keeps PREFECT_* out of its subprocesses): run alone, or on an
    xdist worker of its own, it does not pay ~10 s for a harness it never uses."""
    if request.node.get_closest_marker("own_server") is None:
        request.getfixturevalue("prefect_harness")

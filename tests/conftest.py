"""Test-wide settings: a fixed environment so snapshots and times are stable on any machine."""

from __future__ import annotations

import os
import tempfile
import time

import pytest

# Before Textual is imported anywhere: no animations, default theme, colours on, UTC clock.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.pop("NO_COLOR", None)
os.environ.pop("TEXTUAL_THEME", None)
os.environ["TZ"] = "UTC"
time.tzset()

# Keep the user's real config and cache untouched.
_SANDBOX = tempfile.mkdtemp(prefix="mluvii-tui-tests-")
os.environ["MLUVII_TUI_CONFIG_DIR"] = os.path.join(_SANDBOX, "config")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SANDBOX, "xdg-config")
os.environ["XDG_CACHE_HOME"] = os.path.join(_SANDBOX, "xdg-cache")
os.environ["XDG_DATA_HOME"] = os.path.join(_SANDBOX, "xdg-data")
os.environ["XDG_STATE_HOME"] = os.path.join(_SANDBOX, "xdg-state")
for _name in ("CLIENT_ID", "CLIENT_SECRET", "PROFILE", "BASE_URL", "RELAY", "RELAY_TOKEN"):
    os.environ.pop(f"MLUVII_TUI_{_name}", None)
os.environ.pop("MLUVII_TUI_SECRETS_PASSPHRASE", None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a test marked ``heavy`` (a minute or more on 2 busy cores) run first, each
    kept whole (its module fixtures are built once): with ``--dist worksteal`` (pyproject's
    addopts) the other worker takes the light tests and steals from the first one's queue, so
    both end together instead of one running a tour alone at the end."""
    heavy = {item.path for item in items if item.get_closest_marker("heavy") is not None}
    items.sort(key=lambda item: item.path not in heavy)


@pytest.fixture
def ctl(sim):
    """A signed-in admin HTTP client of the module's own ``sim`` fixture (the test's control
    line to the simulator: start, message, end sessions; read what the console did)."""
    from sim_helpers import api_client

    client = api_client(sim.base_url)
    yield client
    client.close()

"""Test-wide settings: a fixed environment so snapshots and times are stable on any machine."""

from __future__ import annotations

import os
import tempfile
import time

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

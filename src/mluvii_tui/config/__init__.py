"""Where things live and what the user set: per-profile paths (platformdirs) and saved state.

The bottom layer: imports nothing of mluvii_tui but the standard library and platformdirs, so that
every other package may use it. Never imports Textual.
"""

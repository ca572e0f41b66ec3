"""The wire: mluvii's public API as the console speaks it. Pydantic models with the API's field
names (models, admin_models), enums, session filters as query parameters (filters), THE table of
paths (paths), the HTTP transport (auth, retries and waits in retry.py, typed errors) and the
client with one method per endpoint, plus the webhook event names.

Imports only ``mluvii_tui.text`` besides httpx and pydantic; every layer above may use it.
Never Textual.
"""

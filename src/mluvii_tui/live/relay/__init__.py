"""The relay service: mluvii webhooks in, one numbered event log, websockets out to consoles.

``options`` (argparse only, imported by the CLI), ``run`` (build and serve; ``RelayThread`` for the
demo and tests), ``service`` (the Starlette app), ``events`` (envelope + dedup key), ``log`` /
``redis_log`` (the event log backends), ``enrich`` (session fetches, operator table), ``hub``
(fan-out to consoles), ``register`` (the webhook at mluvii).
Imports ``mluvii_tui.api``; never Textual.
"""

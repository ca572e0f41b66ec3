"""Live events: the relay service (``live.relay``: mluvii webhooks in, one numbered event log,
websockets out to every console) and the console-side consumer (``live.feed.LiveFeed``: connects
to a relay, resumes from the last applied sequence number, reconnects with backoff).

May import ``mluvii_tui.api`` (client, paths, webhook names) and ``mluvii_tui.text``, plus
Starlette, uvicorn, websockets and redis. Never Textual: the relay runs as a service and the feed
is headless; the UI subscribes to the feed's callbacks. See docs/ARCHITECTURE.md "Live".
"""

"""The embedded simulator: the mluvii API subset with mluvii's field names and semantics
(server, routes), seeded generated sessions (generator, session_builder, source), a living
tenant (tenant, engine, traffic, webhooks, admin, blacklist) and the test-only /_sim control
endpoints; ``runner.Simulator`` starts it on a loopback port for the demo and the tests.

Imports only ``mluvii_tui.api`` (paths, enums, filter models), so that it tells the client
nothing the real API would not. Never Textual.
"""

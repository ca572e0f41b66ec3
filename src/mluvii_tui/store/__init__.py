"""Persistence only: the local SQLite cache of sessions. Schema and migrations (schema,
quickindex), ``SessionStore`` (store.py: opening, connections, writes; reading.py: reads;
notes.py; recover.py: damage), the row shape (rows, fastrecord, ingest, packing of the kept
JSON), ``reader.TableReader``, the table's queries off the UI thread (``loaded``: what its
jobs find and which rows they read), and ``protocols``, the typed view export/ has of the
store.

Runs query/'s plans on its connections; imports query/, domain/, api/, config/ and text. Never
Textual, never the UI; export/ and the UI see it through what they call.
"""

"""Plain Python about sessions: transcript items (transcript.py; system-event wording in
system_events.py, plain text in transcript_text.py), the one trusted decoder from the kept JSON
to items (transcript_decode.py) and what the detail pane reads (detail_read.py), the notes
outbox (notes_outbox.py, outbox_store.py), downloads and crash reports.

Sits above api/ (it reads the wire models), config/ and text; below store/, query/, export/ and
the UI. No SQL of the session store, no Textual, no argv.
"""

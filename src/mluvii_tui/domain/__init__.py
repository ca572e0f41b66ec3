"""Plain Python about sessions: sanitised text, transcript items, the notes outbox, downloads.

Sits above api/ (it reads the wire models) and below store/, query/, export/ and the UI. No SQL,
no Textual, no argv: everything here can be used by any caller with any I/O around it.
"""

"""mluvii-tui: a keyboard-first terminal console for the Sessions section of mluvii.

Packages by concept, layered (docs/ARCHITECTURE.md draws the map; ``.importlinter`` checks it):
cli on top; the Textual UI (app.py, screens/, widgets/, keymap/); headless services (sync/,
export/, demo/, connect/, actions/, live/); store/ (persistence); query/ (planning); domain/
(plain Python about sessions); api/ (the wire); config/, text.py and serving.py at the bottom.
"""

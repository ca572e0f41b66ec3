"""The Textual screens: sessions (with its filter, detail-pane, admin and re-route bases), the
dialogs (export, filters, columns, re-route, contact, ban, confirm), help, stats, profiles, the
first-run connect screen, and the app's links to its tenant (online.py) and to the live relay
(live.py). Screens push screens; widgets never do.

UI layer: may import every headless package, keymap/ and widgets/; imported by app.py and cli/.
"""

"""The Textual widgets: the virtualised sessions table (session_table with table_loading,
table_cursor, table_model, column_widths, live_marks), the filter bar and the detail pane
(detail/). Widgets post messages; they never push screens.

UI layer: may import keymap/ and the headless packages (store's reader, query, domain, api);
imported by screens/ and app.py.
"""

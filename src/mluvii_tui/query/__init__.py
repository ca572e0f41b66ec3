"""Questions asked of the local store: columns, filters to SQL, sort plans, cursor positions,
full-text search (folding, lemmas, query syntax), time frames and the text of filter chips.

Pure planning plus running SQL on a connection it is given: it imports api/ (enums, filter
models) and text, never store/ or Textual. store/ runs its plans; export/, sync/ and the UI use it.
"""

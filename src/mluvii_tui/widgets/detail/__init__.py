"""The session detail pane (tabs: transcript, info, params, notes, routing, recordings)."""

from .pane import SessionDetail

__all__ = ["SessionDetail"]

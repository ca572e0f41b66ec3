"""Role and permission names of ``GET /api/v1/users/me`` (``CurrentUser``): plain strings, so
that deciding what the user may do needs no model classes (and no pydantic) at start-up."""

from __future__ import annotations

ROLE_ADMIN = "administrator"
ROLE_OPERATOR = "operator"
#: Permission names of ``CurrentUser.permissions``.
FORWARD = "Sessions.Forward"
CONTACT = "Sessions.ContactClient"
BLACKLIST = "Blacklist.Manage"
NOTES = "Sessions.Notes"
CALL_PARAMS = "Sessions.CallParams"

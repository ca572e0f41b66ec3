"""Admin actions (issue 13), headless: who may do what, the idempotent action runner with request
ids, the audit log, and resolving names of groups and operators.

Sits above api/ and config/; used by the console's dialogs and by ``cli/actions.py``. No Textual.
"""

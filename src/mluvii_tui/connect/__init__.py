"""Connecting to a tenant from the terminal: trying a server and credentials (verify), login,
logout and locate (account), and the doctor's report. Headless: no Textual; the CLI and the
connect screen call into it.
"""

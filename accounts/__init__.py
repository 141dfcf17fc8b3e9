"""Accounts and access records: users, API and display tokens, revoked sessions, the audit log."""

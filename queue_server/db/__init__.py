"""Persistence: engines, the unit of work (one transaction, or a savepoint of a group commit
on SQLite), the one event writer, the tables and their migrations."""

"""Alembic migrations of the queue server's database (run by `provisioning init`)."""

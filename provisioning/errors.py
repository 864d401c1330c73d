"""Errors of the administrator's command."""


class UsageError(Exception):
    """Bad usage or input (a broken config file, an unknown counter): printed as one line, exit 2."""

"""Errors of the administrator's command: each is printed as one line on standard error, and
the command exits with its `exit_code` (CONTRACT.md §1: 2 for bad usage or input)."""


class CommandFailed(Exception):
    """The command could not do its work though it was asked rightly (the database stayed
    locked, the disk is full): one line, exit 1."""

    exit_code = 1


class UsageError(CommandFailed):
    """Bad usage or input (a broken config file, an unknown counter): one line, exit 2."""

    exit_code = 2

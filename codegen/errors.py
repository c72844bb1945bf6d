"""Errors that end a command with one clear line (no traceback)."""


class CliError(Exception):
    """A user-facing failure: bad input file, bad option, failed check."""

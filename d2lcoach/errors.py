"""Errors that the CLI shows as one line and exit code 2 (a person's bad input, never a grade)."""


class UsageError(Exception):
    """Bad input from a person: unknown exercise, missing file, broken YAML, a folder for a file.

    The message is one line and says what is wrong and where; the CLI prints it and exits 2.
    """

    exit_code = 2

"""Errors a user can cause and fix; the CLI prints them as one line and exits non-zero."""


class CitetrailError(Exception):
    """A problem with the input, the store or the settings, not a bug."""

    exit_code = 1


class InputError(CitetrailError):
    """The claim, file or flag given is unusable."""

    exit_code = 2


class StoreError(CitetrailError):
    """The store is missing, empty or built with other settings."""

    exit_code = 3

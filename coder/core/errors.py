"""Errors a person can act on: each carries a one-line message."""

from __future__ import annotations


class CoderError(Exception):
    """Base for every error shown to a user (CLI: stderr + exit 1; GUI: a dialog)."""


class ImportFailed(CoderError):
    """A file could not be imported (missing, unreadable, wrong format, too big, ...)."""


class ProjectFileError(CoderError):
    """A path is not a usable Coder project (not SQLite, other app, newer version, corrupt)."""


class ProjectLocked(CoderError):
    """Another process is writing the project."""


class NotFound(CoderError):
    """A named object (document, code, case, coder, coding) does not exist."""


class Ambiguous(CoderError):
    """A name matches more than one object."""


class InvalidValue(CoderError):
    """A value given by the user is not acceptable (bad colour, empty name, bad range...)."""


class ExchangeError(CoderError):
    """A REFI-QDA file cannot be used at all (hostile, corrupt or not REFI-QDA)."""

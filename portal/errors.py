"""Domain errors: what a rule raises when it refuses, with a message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused. ``message`` is a lazy translatable string shown to the user as it is."""

    status = 400

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class NotAllowed(DomainError):
    """The acting user may not do this (403)."""

    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409

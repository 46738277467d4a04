"""Domain errors: raised by services with a translatable message, turned into messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can understand. ``message`` is already translated (or lazy)."""

    def __init__(self, message, *, code: str = "invalid", details: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.details = details or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(DomainError):
    def __init__(self, message, *, code: str = "forbidden", details: dict | None = None):
        super().__init__(message, code=code, details=details)


class ImportRejected(DomainError):
    """A file import refused as a whole. ``errors`` is a list of (line_number, message)."""

    def __init__(self, message, *, errors: list[tuple[int, str]] | None = None, code: str = "import_rejected"):
        super().__init__(message, code=code, details={"errors": errors or []})
        self.errors = errors or []

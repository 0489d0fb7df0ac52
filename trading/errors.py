"""Errors people cause: each carries a stable code for clients and a translated message.

The API turns them into ``{"code": ..., "detail": ...}`` with the status given here; pages show the
message. Tests assert the code, not the wording.
"""
from django.core.exceptions import ValidationError


class PlatformError(Exception):
    status = 400

    def __init__(self, code: str, message, *, status: int | None = None, fields: dict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    @classmethod
    def from_validation(cls, error: ValidationError):
        """The first broken rule of a model validation, with all field messages kept."""
        fields = {}
        first_code, first_message = "invalid", error.messages[0] if error.messages else ""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                fields[field] = [m for e in errors for m in e.messages]
            field, errors = next(iter(error.error_dict.items()))
            first_code, first_message = errors[0].code or "invalid", errors[0].messages[0]
        elif getattr(error, "code", None):
            first_code = error.code
        return cls(first_code, first_message, fields=fields)


class TradingError(PlatformError):
    pass


class AuthError(PlatformError):
    status = 403


class AccountError(PlatformError):
    """A refused change of accounts, companies, roles or rules; most are separation-of-duties rules."""

    status = 403

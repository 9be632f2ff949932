"""The exception classes addons import from ``odoo.exceptions`` (hierarchy of Odoo 16)."""


class UserError(Exception):
    """Error shown to the user; XML-RPC fault code 2."""

    def __init__(self, message):
        super().__init__(message)


class RedirectWarning(Exception):
    """Warning with a redirection action; XML-RPC fault code 2."""


class AccessDenied(UserError):
    """Login/password error; XML-RPC fault code 3."""

    def __init__(self, message="Access Denied"):
        super().__init__(message)
        self.with_traceback(None)
        self.__cause__ = None
        self.traceback = ('', '', '')


class AccessError(UserError):
    """Access right error; XML-RPC fault code 4."""


class MissingError(UserError):
    """Missing record(s)."""


class ValidationError(UserError):
    """Constraint violation."""


class CacheMiss(KeyError):
    """Kept for import compatibility."""

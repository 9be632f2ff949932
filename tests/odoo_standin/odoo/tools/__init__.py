"""``odoo.tools``: only ``config`` (the parsed configuration) and a few helpers addons commonly use."""
from .config import config  # noqa: F401


def ustr(value, *args, **kwargs):
    """Return ``value`` as ``str`` (Odoo helper)."""
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return str(value)


def consteq(a, b):
    """Constant-time comparison of two strings."""
    import hmac
    return hmac.compare_digest(a, b)

"""The Odoo stand-in: a small, stdlib-only imitation of the Odoo server (test equipment).

Addons import it as they import Odoo: ``from odoo import api, fields, models, http, _``.
See ``tests/odoo_standin/README.md`` for what it imitates and the API contract.
"""
import sys

# make "import openerp" work for old addons, as Odoo did
sys.modules.setdefault('openerp', sys.modules[__name__])

from . import release  # noqa: E402
from .api import SUPERUSER_ID  # noqa: E402,F401

__version__ = release.version


def _(source, *args, **kwargs):
    """Translation function: returns ``source`` formatted with ``args``/``kwargs`` (no translation)."""
    if args or kwargs:
        return source % (args or kwargs)
    return source


from . import exceptions, tools, api, fields, models, http  # noqa: E402,F401


def registry(database_name):
    """The registry of ``database_name`` (``odoo.registry(db)``)."""
    from .loading import Registry
    return Registry.get(database_name)

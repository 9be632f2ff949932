# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masking secrets read on the host (odoo.conf's ``db_password``, ``admin_passwd``...) in text we return.

These values are never handed to Ansible's ``no_log_values``: ansible-core masks every occurrence of such a value
as a substring, so a weak one (``db_password = odoo``, the default of Odoo's official container image) turns
``/var/lib/odoo/addons/16.0`` into ``/var/lib/********/addons/16.0``. Instead:

- wherever a secret stands as a value it is replaced, whatever it is: a ``key = value`` / ``key: value`` /
  ``KEY=value`` whose key names a password, key, secret or token (config lines, dict reprs, environment
  variables), the password of a URL (``scheme://user:secret@host``), the value of a command-line option
  (``--db_password secret``, ``--db_password=secret``, ``-w secret``);
- a strong secret (see :func:`is_weak`) is also replaced wherever else it appears, since it cannot be part of a
  path or a name by chance.

Secrets given as module parameters stay ``no_log`` (Ansible masks those); this is for values read on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MASK = '********'

# A secret shorter than this, made of letters only, or one of these common values is "weak": masked only where it
# stands as a value, and the run warns about it.
WEAK_LENGTH = 8
COMMON_SECRETS = frozenset((
    'admin', 'odoo', 'openerp', 'postgres', 'postgresql', 'password', 'passwd', 'secret', 'changeme', 'root',
    'test', 'demo', 'default', 'pass', 'qwerty', 'letmein', 'welcome', 'false', 'true', 'none',
))

# Names of keys/options whose value is a secret (case-insensitive, anywhere in the key's name).
_SECRET_KEY = r'[\w.-]*(?:pass|pwd|secret|key|token)[\w.-]*'
# What may follow a secret standing as a value.
_VALUE_END = r'(?=$|[\s\'",;&)\]}|])'


def is_weak(secret):
    """Whether ``secret`` is too weak to be masked as a substring: short, letters only, or a common value."""
    text = str(secret or '')
    return len(text) < WEAK_LENGTH or text.isalpha() or text.lower() in COMMON_SECRETS


def _patterns(secret):
    value = re.escape(secret)
    return (
        # key = value, key: value, KEY=value, 'key': 'value', "key", "value" (argv lists), --key value, --key=value
        re.compile(r'(?P<head>(?i:%s)[\'"]?(?:\s*[=:,]\s*|\s+)[\'"]?)%s%s' % (_SECRET_KEY, value, _VALUE_END)),
        # scheme://user:secret@host
        re.compile(r'(?P<head>://[^\s:/@]*:)%s(?=@)' % value),
        # Odoo's short option for db_password: -w secret
        re.compile(r'(?P<head>(?:^|\s|[\'"])-w[\'"]?(?:\s*,\s*|\s+)[\'"]?)%s%s' % (value, _VALUE_END)),
    )


def mask(text, secrets):
    """``text`` with each secret replaced by :data:`MASK` where it stands as a value, and everywhere when strong."""
    text = '' if text is None else str(text)
    for secret in sorted(set(str(s) for s in secrets or () if s), key=len, reverse=True):
        if not is_weak(secret):
            text = text.replace(secret, MASK)
            continue
        for pattern in _patterns(secret):
            text = pattern.sub(lambda match: match.group('head') + MASK, text)
    return text


def weak_secret_warning(name, where):
    """The warning a run gives for a weak secret ``name`` read from ``where``."""
    return ('%s in %s is weak (shorter than %d characters, letters only, or a common value such as "odoo"): '
            'anyone who guesses it reaches the databases. Set a long random one. Messages mask it only where it '
            'stands as a value, so paths and names that contain it stay readable.' % (name, where, WEAK_LENGTH))

"""``odoo.tools.translate``: the lazy translation addons use for labels known at import time.

As in Odoo, a lazy label is **not** a ``str``: it becomes one with ``str()`` (the stand-in has no translations, so
that is its source text). XML-RPC cannot marshal it, so a ``fields_get`` whose result carries one fails there with
``TypeError: cannot marshal <class '…'> objects``, as on a real Odoo 17 (ground truth §10). The class is ``_lt``
up to 17 (Odoo 17 ``tools/translate.py``) and ``LazyGettext`` from 18, with ``_lt`` naming it (Odoo 18
``tools/translate.py``).
"""
from .. import release


class _lt:
    __slots__ = ('_source', '_args')

    def __init__(self, source, *args, **kwargs):
        self._source = source
        self._args = args or kwargs

    def __str__(self):
        return self._source % self._args if self._args else self._source

    def __repr__(self):
        return '_lt(%r)' % self._source

    def __eq__(self, other):
        return str(self) == (str(other) if isinstance(other, _lt) else other)

    def __hash__(self):
        return hash(self._source)

    def __add__(self, other):
        return str(self) + str(other)

    def __radd__(self, other):
        return str(other) + str(self)


if release.version_info[0] >= 18:
    LazyGettext = type('LazyGettext', (_lt,), {'__slots__': ()})
    _lt = LazyGettext  # noqa: F811

# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read (and, for later modules, edit in place) an Odoo configuration file.

Odoo reads its file with ``configparser.RawConfigParser`` (``odoo/tools/config.py``
``load()``): ``key = value`` or ``key: value`` lines, whole-line comments starting
with ``#`` or ``;``, option names folded to lower case, indented lines continue
the previous value, no interpolation, no inline comments. A duplicate option in
a section makes Odoo refuse to start.

:class:`OdooConf` keeps every line as it was read, so :meth:`OdooConf.render`
gives back the same bytes until :meth:`OdooConf.set` or
:meth:`OdooConf.add_to_list` changes one value; only the changed line moves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import re

OPTIONS_SECTION = 'options'

# Values Odoo (up to 16, tools/config.py load() then _parse_config) treats as "not set".
UNSET_VALUES = ('', 'None', 'False', 'false')

# Options whose value is a secret: never return or log them.
SECRET_OPTIONS = frozenset((
    'admin_passwd', 'db_password', 'smtp_password',
))

_SECTION_RE = re.compile(r'^\[(?P<name>[^\]]+)\]')
_OPTION_RE = re.compile(r'^(?P<key>[^=:\s][^=:]*?)\s*(?P<sep>[=:])(?P<space>\s*)(?P<value>.*?)(?P<eol>\r?\n)?$')


class OdooConfError(ValueError):
    """A configuration file that Odoo itself could not read."""


class _Option:
    __slots__ = ('key', 'section', 'index', 'count', 'value')

    def __init__(self, key, section, index, value):
        self.key = key
        self.section = section
        self.index = index      # index of the key line in OdooConf.lines
        self.count = 1          # lines used: key line + continuation lines
        self.value = value


class OdooConf:
    """An Odoo configuration file as lines, with the ``[options]`` values indexed."""

    def __init__(self, text=''):
        if isinstance(text, bytes):
            text = text.decode('utf-8')
        self.lines = text.splitlines(True)
        self._parse()

    @classmethod
    def from_file(cls, path):
        with open(path, 'rb') as handle:
            return cls(handle.read())

    # -- reading -----------------------------------------------------------
    def _parse(self):
        self.sections = []          # (name, index of the header line)
        self._options = {}          # (section, key) -> _Option
        self.duplicates = []        # (section, key) seen twice
        section = None
        current = None
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if current is not None and stripped and line[:1] in (' ', '\t') \
                    and not stripped.startswith(('#', ';')):
                current.value = current.value + '\n' + stripped
                current.count = index - current.index + 1
                continue
            if not stripped or stripped.startswith(('#', ';')):
                continue
            current = None
            match = _SECTION_RE.match(line)
            if match:
                section = match.group('name')
                self.sections.append((section, index))
                continue
            match = _OPTION_RE.match(line)
            if not match or section is None:
                # RawConfigParser raises MissingSectionHeaderError / ParsingError here.
                raise OdooConfError('line %d is not a section, an option or a comment: %r' % (index + 1, line.rstrip()))
            key = match.group('key').strip().lower()
            if (section, key) in self._options:
                self.duplicates.append((section, key))
                continue
            current = _Option(key, section, index, match.group('value').strip())
            self._options[(section, key)] = current

    def has_section(self, section=OPTIONS_SECTION):
        return any(name == section for name, dummy in self.sections)

    def keys(self, section=OPTIONS_SECTION):
        found = [opt for (sect, dummy), opt in self._options.items() if sect == section]
        return [opt.key for opt in sorted(found, key=lambda opt: opt.index)]

    def get(self, key, default=None, section=OPTIONS_SECTION):
        option = self._options.get((section, key.lower()))
        return default if option is None else option.value

    def is_set(self, key, section=OPTIONS_SECTION):
        """True when ``key`` holds a value Odoo uses (not missing, empty, ``None`` or ``False``)."""
        return self.get(key, section=section) not in (None,) + UNSET_VALUES

    def as_dict(self, section=OPTIONS_SECTION, hide_secrets=True):
        """The section's values; secret options are left out unless ``hide_secrets`` is false."""
        return dict(
            (key, self.get(key, section=section))
            for key in self.keys(section)
            if not (hide_secrets and key in SECRET_OPTIONS)
        )

    def line_of(self, key, section=OPTIONS_SECTION):
        """1-based line number of ``key``, or None."""
        option = self._options.get((section, key.lower()))
        return None if option is None else option.index + 1

    # -- editing (in place, for the later odoo_config module) -------------
    def render(self, mask=None):
        """The file's text; with ``mask``, the values of secret options are replaced by it.

        Masked are the values (continuation lines included) of the options named
        in ``SECRET_OPTIONS``, in every section, and the values of commented-out
        lines that assign one (``;admin_passwd = old``): an old password is still
        a password. Values that mean "not set" (``UNSET_VALUES``) are no secret
        and stay. Everything else is given back as it is.
        """
        if mask is None:
            return ''.join(self.lines)
        lines = list(self.lines)
        key_lines, value_lines = set(), set()
        for option in self._options.values():
            if option.key in SECRET_OPTIONS:
                key_lines.add(option.index)
                value_lines.update(range(option.index + 1, option.index + option.count))
        for index, line in enumerate(lines):
            stripped = line.lstrip()
            if index in key_lines:
                lines[index] = _mask_line(line, mask)
            elif index in value_lines and stripped.strip():
                lines[index] = line[:len(line) - len(stripped)] + mask + stripped[len(stripped.rstrip('\r\n')):]
            elif stripped.startswith(('#', ';')):
                match = _OPTION_RE.match(stripped.lstrip('#;').lstrip())
                if match and match.group('key').strip().lower() in SECRET_OPTIONS:
                    lines[index] = _mask_line(line, mask, comment=True)
        return ''.join(lines)

    def _newline(self):
        for line in self.lines:
            if line.endswith('\r\n'):
                return '\r\n'
            if line.endswith('\n'):
                return '\n'
        return '\n'

    def set(self, key, value, section=OPTIONS_SECTION):
        """Give ``key`` the text ``value``; return True when the file changed.

        An existing line keeps its spelling of the key and its separator; a new
        key goes after the last option of the section (the section is added at
        the end of the file when missing).
        """
        key = key.lower()
        value = '' if value is None else str(value)
        if '\n' in value or '\r' in value:
            raise OdooConfError('Cannot set %s: a value must fit on one line' % key)
        option = self._options.get((section, key))
        newline = self._newline()
        if option is not None:
            if option.value == value and option.count == 1:
                return False
            old = self.lines[option.index]
            match = _OPTION_RE.match(old)
            eol = match.group('eol') or (newline if option.index + option.count < len(self.lines) else '')
            space = match.group('space') or (' ' if match.group('sep') == '=' and value else '')
            prefix = old[:match.start('sep')] + match.group('sep')
            self.lines[option.index:option.index + option.count] = [prefix + space + value + eol]
        else:
            if not self.has_section(section):
                if self.lines and not self.lines[-1].endswith('\n'):
                    self.lines[-1] += newline
                self.lines.append('[%s]%s' % (section, newline))
                self._parse()
            insert_at = self._end_of_section(section)
            if insert_at > 0 and not self.lines[insert_at - 1].endswith('\n'):
                self.lines[insert_at - 1] += newline
            self.lines.insert(insert_at, '%s = %s%s' % (key, value, newline))
        self._parse()
        return True

    def _end_of_section(self, section):
        """Index just after the last option (or the header) of ``section``."""
        header = [index for name, index in self.sections if name == section][0]
        last = header
        for (sect, dummy), option in self._options.items():
            if sect == section:
                last = max(last, option.index + option.count - 1)
        return last + 1

    def add_to_list(self, key, entries, position='first', section=OPTIONS_SECTION, same=None, default=None):
        """Add ``entries`` to the comma-separated list in ``key``; return True when the file changed.

        Entries already present (compared with ``same``, default: equal once
        stripped of blanks and trailing slashes) are left where they are; the
        others go ``first`` or ``last``, in the given order. Nothing else of the
        list moves. When ``key`` is unset (missing, commented out, empty,
        ``None``, ``False``), the list is ``default``: what the program uses
        then, written out with the new entries so that it stays in use.
        """
        if position not in ('first', 'last'):
            raise ValueError('position must be first or last')
        if same is None:
            def same(left, right):
                return normalize_entry(left) == normalize_entry(right)
        current = self.get(key, section=section)
        items = split_list(current) if current not in (None,) + UNSET_VALUES else list(default or [])
        missing = []
        for entry in entries:
            if not any(same(entry, item) for item in items + missing):
                missing.append(entry)
        if not missing:
            return False
        items = missing + items if position == 'first' else items + missing
        return self.set(key, ','.join(items), section=section)


def _mask_line(line, mask, comment=False):
    """``key = value`` line with the value replaced by ``mask`` (the comment marks, key, separator and end kept)."""
    body = line.lstrip().lstrip('#;').lstrip() if comment else line
    match = _OPTION_RE.match(body)
    head = line[:len(line) - len(body)] + body[:match.start('sep')] + match.group('sep') + match.group('space')
    value = match.group('value')
    return head + (value if value.strip() in UNSET_VALUES else mask) + (match.group('eol') or '')


def parse_strict(text):
    """Parse ``text`` and refuse what Odoo would refuse to start with; return the :class:`OdooConf`.

    Odoo reads its file with ``RawConfigParser`` in its default strict mode: an
    option or a section given twice, or a line that is neither a section, an
    option nor a comment, stops it. Raises :class:`OdooConfError` naming the
    problem (never a value).
    """
    conf = OdooConf(text)
    if conf.duplicates:
        section, key = conf.duplicates[0]
        raise OdooConfError('%s is given twice in [%s]' % (key, section))
    reference = configparser.RawConfigParser()
    try:
        reference.read_string(conf.render())
    except configparser.DuplicateSectionError as exc:
        raise OdooConfError('section [%s] is given twice' % exc.section)
    except configparser.Error as exc:
        raise OdooConfError('Python\'s configparser refuses it (%s)' % type(exc).__name__)
    return conf


def split_list(value):
    """Split an Odoo comma-separated value, dropping blanks (as Odoo does)."""
    if value is None:
        return []
    return [item.strip() for item in str(value).replace('\n', ',').split(',') if item.strip()]


def normalize_entry(entry):
    entry = str(entry).strip()
    while len(entry) > 1 and entry.endswith('/'):
        entry = entry[:-1]
    return entry


def odoo_bool(value, default, major=16):
    """Read a boolean option the way Odoo ``major`` does.

    Up to 17 ``load()`` turns ``True``/``true``/``False``/``false`` into booleans
    and keeps any other text, which is then truthy unless empty. The rewritten
    ``tools/config.py`` of 18 (``_check_bool``) accepts ``1 yes true on`` /
    ``0 no false off`` and ignores an empty value.
    """
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if major >= 18:
        if text.lower() in ('1', 'yes', 'true', 'on'):
            return True
        if text.lower() in ('0', 'no', 'false', 'off'):
            return False
        return default
    if text in ('False', 'false', ''):
        return False
    return True

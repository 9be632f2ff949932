# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a vendor archive of the payment addon (or the same tree unpacked) without trusting it.

Pure helpers (no AnsibleModule here) shared by ``addon_archive`` (controller
side, before any host is touched) and ``addon_install`` (host side, which
checks the source again and unpacks it).

The vendor ships ``<Brand>_Odoo_<range>_v<version>.zip`` holding one folder,
``payment_<brand>/`` (vendor guide section 5: that folder is what gets copied
into ``/var/lib/odoo/addons/<series>/``). Nothing of the addon is ever imported:
the manifest is read with ``ast.literal_eval`` (``discovery.parse_manifest``)
and the declared range (``'CMS_IDENTIFIER': 'Odoo_16',`` in
``helpers/constants.py``) as text.

The content hash (:func:`content_sha256`) covers the module folder's files:
for each, sorted by relative path, the path, the executable bit and the
SHA-256 of its bytes. A zip and the same tree on disk give the same value.
Compiled Python (``__pycache__/``, ``*.pyc``, ``*.pyo``) is left out
everywhere (hash, file count, unpacking): Python writes it next to the code
when Odoo runs, so counting it would make an installed copy differ from its
archive.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import releases

BRAND_RE = re.compile(r'^[a-z][a-z0-9_]*$')
MODULE_PREFIX = 'payment_'
CONSTANTS_PATH = 'helpers/constants.py'
RANGE_SOURCES = ('constants', 'archive name', 'line table')
CHECKSUM_ALGORITHMS = ('sha256', 'sha1')

# what the controller can download and check (ansible.builtin.get_url's schemes, the checksums parse_checksum takes)
DOWNLOAD_URL_RE = re.compile(r'(https?|ftp|file)://')
DOWNLOAD_CHECKSUM_RE = re.compile(r'(sha256:[0-9a-fA-F]{64}|sha1:[0-9a-fA-F]{40})$')

_CMS_RE = re.compile(r'''^[ \t]*['"]CMS_IDENTIFIER['"][ \t]*:[ \t]*['"](?P<range>[^'"\n]*)['"]''', re.M)
_CHECKSUM_RE = re.compile(r'^(?P<algo>[a-z0-9]+):(?P<hex>[0-9a-fA-F]+)$')
_DRIVE_RE = re.compile(r'^[A-Za-z]:')
_CHUNK = 1024 * 1024


class AddonError(Exception):
    """A source that cannot be used; the message names what to fix."""


# -- names ----------------------------------------------------------------------
def module_for_brand(brand):
    """``payment_<brand>`` for a brand such as ``systempay``."""
    if not BRAND_RE.match(str(brand or '')):
        raise AddonError('Cannot use brand %r: it must be lower-case letters, digits and _ (like "systempay")' % (brand,))
    return MODULE_PREFIX + brand


def brand_of_module(module):
    """The brand of a module name ``payment_<brand>``."""
    module = str(module or '')
    brand = module[len(MODULE_PREFIX):] if module.startswith(MODULE_PREFIX) else ''
    if not BRAND_RE.match(brand):
        raise AddonError('Cannot use module %r: it must be payment_<brand> (like "payment_systempay")' % (module,))
    return brand


# Top-level files of an archive that only document it (README, CHANGELOG, LICENSE...): set aside, never unpacked.
# Any other top-level file (Python, another zip, ...) is refused.
DOC_NAMES = ('readme', 'changelog', 'changes', 'history', 'license', 'licence', 'copying', 'notice', 'authors')
DOC_SUFFIXES = ('.md', '.txt', '.rst', '.pdf', '.html', '.htm')


def is_documentation_file(name):
    """Whether a top-level file name is documentation (README, LICENSE, *.md, *.txt...), which carries no code."""
    lower = name.lower()
    stem, suffix = os.path.splitext(lower)
    return suffix in DOC_SUFFIXES or (stem in DOC_NAMES and suffix in ('',) + DOC_SUFFIXES)


def is_runtime_file(relative):
    """True for compiled Python that Odoo's Python writes beside the code."""
    parts = relative.split('/')
    return '__pycache__' in parts or parts[-1].endswith(('.pyc', '.pyo'))


# -- hashes -----------------------------------------------------------------------
def parse_checksum(text):
    """``sha256:<hex>`` or ``sha1:<hex>`` -> ``(algorithm, lower-case hex)``."""
    match = _CHECKSUM_RE.match(str(text or '').strip())
    if not match or match.group('algo') not in CHECKSUM_ALGORITHMS:
        raise AddonError('Cannot use checksum %r: it must be like "sha256:<hex>" or "sha1:<hex>"' % (text,))
    algo, digest = match.group('algo'), match.group('hex').lower()
    if len(digest) != hashlib.new(algo).digest_size * 2:
        raise AddonError('Cannot use checksum %r: a %s digest has %d hex digits, not %d'
                         % (text, algo, hashlib.new(algo).digest_size * 2, len(digest)))
    return algo, digest


def download_problems(url, checksum):
    """What keeps the vendor zip at ``url`` from being downloaded and checked against ``checksum`` (the addon role's
    addon_url / addon_checksum), each naming the variable to fix; empty when nothing does (or no URL, no checksum)."""
    problems = []
    if url and not checksum:
        problems.append('addon_url needs addon_checksum (sha256:<hex>), so a changed download is never deployed')
    if url and not DOWNLOAD_URL_RE.match(url):
        problems.append('addon_url %s must start with http://, https://, ftp:// or file://' % url)
    if checksum and not DOWNLOAD_CHECKSUM_RE.match(checksum):
        problems.append('addon_checksum %s must be sha256:<64 hex digits> or sha1:<40 hex digits>' % checksum)
    return problems


def file_digest(path, algo='sha256'):
    """Hex digest of a file's bytes."""
    digest = hashlib.new(algo)
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def content_sha256(items):
    """The content hash of a module folder.

    ``items``: ``(relative path with /, executable (bool), sha256 hex of the
    bytes)`` for each file; their order does not matter.
    """
    digest = hashlib.sha256()
    for relative, executable, data_sha in sorted(items):
        digest.update(('%s\0%s\0%s\n' % (relative, 'x' if executable else '-', data_sha)).encode('utf-8'))
    return digest.hexdigest()


def walk_tree(folder):
    """``(relative path, full path, lstat result)`` of every entry below ``folder``, sorted.

    Folders are listed too; symbolic links are listed, never followed.
    Compiled Python is left out.
    """
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if name != '__pycache__']
        for name in dirs + files:
            full = os.path.join(top, name)
            relative = os.path.relpath(full, folder).replace(os.sep, '/')
            if not is_runtime_file(relative):
                found.append((relative, full, os.lstat(full)))
    return sorted(found)


def tree_sha256(folder):
    """:func:`content_sha256` of a module folder on disk (an installed copy).

    A symbolic link inside counts as content that no valid source has
    (``link:<target>``), so such a copy always differs from the archive.
    """
    items = []
    for relative, full, info in walk_tree(folder):
        if stat.S_ISLNK(info.st_mode):
            items.append((relative, False, 'link:%s' % os.readlink(full)))
        elif stat.S_ISREG(info.st_mode):
            items.append((relative, bool(info.st_mode & 0o111), file_digest(full)))
    return content_sha256(items)


# -- the check addon_archive makes -------------------------------------------------
# addon_archive's options: its module and its action plugin (the same check in the controller's own process)
CHECK_OPTIONS = dict(
    src=dict(type='path', required=True),
    brand=dict(type='str', default='systempay'),
    checksum=dict(type='str'),
    series=dict(type='str'),
    force_range=dict(type='bool', default=False),
)


def check(params):
    """What ``addon_archive`` returns for ``params`` (:data:`CHECK_OPTIONS`): the archive chosen (``src``,
    ``archives_seen``), its facts (:meth:`AddonSource.inspect`, ``warnings`` among them) and the Python imports its
    release needs. Raises :class:`AddonError` with the reason it cannot be deployed."""
    src, seen = params['src'], []
    if is_archive_folder(src, params['brand']):
        src, seen = select_archive(src, params['brand'], params['series'])
    with AddonSource(src, params['brand']) as source:
        facts = source.load().inspect(params['checksum'], params['series'], params['force_range'])
    try:
        imports = releases.python_imports(facts['version'])
    except releases.ReleaseError:
        imports = []
    return dict(facts, src=src, archives_seen=seen, python_imports=imports)


# -- choosing an archive in a folder ------------------------------------------------
def _version_key(version):
    """Sort key of a manifest version: numbers compare as numbers (``3.1.10`` > ``3.1.9``)."""
    return tuple((0, int(part), '') if part.isdigit() else (-1, 0, part)
                 for part in re.split(r'[.+-]', str(version)))


def is_archive_folder(folder, brand):
    """True when ``folder`` is a folder of vendor zips rather than an unpacked addon.

    That is: it holds no manifest, no ``payment_<brand>/`` folder, and at least one ``*.zip``.
    """
    if not os.path.isdir(folder):
        return False
    names = os.listdir(folder)
    if any(name in names for name in discovery.MANIFEST_NAMES) or module_for_brand(brand) in names:
        return False
    return any(name.lower().endswith('.zip') and os.path.isfile(os.path.join(folder, name)) for name in names)


def select_archive(folder, brand, series):
    """Choose the vendor zip of ``folder`` to deploy on an Odoo ``series``.

    Among the files named ``<Brand>_Odoo_<range>_v<version>.zip`` for ``brand``
    (case-insensitive), the highest version whose declared range includes
    ``series``. Returns ``(path, seen)``, ``seen`` being the names of the
    brand's archives found, sorted. Raises :class:`AddonError` naming the
    archives seen when none fits. The range is taken from the name here;
    :meth:`AddonSource.inspect` then checks it against the addon's own constants.
    """
    module_for_brand(brand)
    if series is None or str(series).strip() == '':
        raise AddonError('Cannot choose an archive in %s: the Odoo series of the host is needed' % folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise AddonError('Cannot read folder %s: %s' % (folder, exc))
    candidates = []
    for name in names:
        if not os.path.isfile(os.path.join(folder, name)):
            continue
        try:
            parsed = generations.parse_archive_name(name)
        except generations.GenerationError:
            continue
        if parsed['brand'] == brand:
            candidates.append((name, parsed))
    seen = [name for name, dummy in candidates]
    if not candidates:
        others = [name for name in names if name.lower().endswith('.zip')]
        raise AddonError('Cannot choose an archive in %s: no %s_Odoo_<range>_v<version>.zip there%s'
                         % (folder, brand.capitalize(),
                            ' (found: %s)' % ', '.join(others) if others else ''))
    try:
        fitting = [(name, parsed) for name, parsed in candidates
                   if generations.range_includes(parsed['range'], series)]
    except generations.GenerationError as exc:
        raise AddonError('Cannot choose an archive in %s: %s' % (folder, exc))
    if not fitting:
        try:
            line = generations.line_for_series(series)
            use = 'add the %s.x line (%s_%s_v%s.x.zip)' % (line['line'], brand.capitalize(), line['range'], line['line'])
        except generations.GenerationError:
            use = 'no addon line supports it (the lines cover Odoo %d-%d)' % (
                generations.SUPPORTED_MAJORS[0], generations.SUPPORTED_MAJORS[-1])
        raise AddonError('Cannot choose an archive in %s for Odoo %s: none of %s declares it; %s'
                         % (folder, series, ', '.join(seen), use))
    name, dummy = max(fitting, key=lambda item: _version_key(item[1]['version']))
    return os.path.join(folder, name), seen


# -- the source -----------------------------------------------------------------
class _Member(object):
    """One file of the module folder in the source."""

    def __init__(self, relative, size, executable, origin):
        self.relative = relative        # path inside payment_<brand>/, with /
        self.size = size
        self.executable = executable
        self.origin = origin            # ZipInfo, or the full path on disk


def _entry_problem(name):
    """Why a zip entry name is unsafe to unpack, or None."""
    if '\0' in name:
        return 'holds a NUL character'
    if '\\' in name:
        return 'holds a backslash (a Windows path)'
    if name.startswith('/'):
        return 'is an absolute path'
    if _DRIVE_RE.match(name):
        return 'starts with a drive letter'
    parts = name[:-1].split('/') if name.endswith('/') else name.split('/')
    if '..' in parts:
        return 'climbs out of the folder it is unpacked in (..)'
    if '' in parts or '.' in parts:
        return 'is not a plain relative path'
    return None


class AddonSource(object):
    """A vendor zip, or a folder holding the unpacked ``payment_<brand>/`` (or being it).

    :meth:`load` checks the structure (safe names, no links, exactly one
    top-level folder named ``payment_<brand>``) and raises :class:`AddonError`;
    :meth:`inspect` reads the manifest and the declared range.
    """

    def __init__(self, src, brand='systempay'):
        self.src = src
        self.brand = brand
        self.module = module_for_brand(brand)
        self.kind = None
        self.members = {}
        self.root = None
        self.ignored = []
        self._zip = None

    # context manager: the zip stays open between load() and extract()
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    @property
    def label(self):
        return '%s %s' % ('folder' if self.kind == 'folder' else 'archive', self.src)

    def error(self, reason):
        return AddonError('Cannot use %s: %s' % (self.label, reason))

    # -- structure ------------------------------------------------------------------
    def load(self):
        if os.path.isdir(self.src):
            self.kind = 'folder'
            try:
                self._load_folder()
            except OSError as exc:
                raise AddonError('Cannot read folder %s: %s' % (self.src, exc))
        elif os.path.isfile(self.src):
            self.kind = 'zip'
            self._load_zip()
        else:
            raise AddonError('Cannot read archive %s: no such file or folder' % self.src)
        return self

    def _load_zip(self):
        try:
            self._zip = zipfile.ZipFile(self.src)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise AddonError('Cannot read archive %s: not a zip file (%s)' % (self.src, exc))
        except OSError as exc:
            raise AddonError('Cannot read archive %s: %s' % (self.src, exc))
        seen = set()
        for info in infos:
            problem = _entry_problem(info.filename)
            if problem:
                raise self.error('entry %r %s' % (info.filename, problem))
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise self.error('entry %r is a symbolic link; the addon must hold plain files and folders only'
                                 % info.filename)
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise self.error('entry %r is a special file; the addon must hold plain files and folders only'
                                 % info.filename)
            key = info.filename.rstrip('/')
            if key in seen:
                raise self.error('entry %r is listed twice' % info.filename)
            seen.add(key)
        tops = sorted(set(info.filename.split('/', 1)[0] + ('/' if '/' in info.filename else '')
                          for info in infos))
        self._check_top(tops, [info.filename for info in infos])
        prefix = self.module + '/'
        for info in infos:
            if not info.filename.startswith(prefix):
                continue   # a top-level documentation file (_check_top): not part of the module
            relative = info.filename[len(prefix):]
            if info.is_dir() or not relative or is_runtime_file(relative):
                continue
            self.members[relative] = _Member(relative, info.file_size, bool((info.external_attr >> 16) & 0o111), info)

    def _load_folder(self):
        if any(os.path.isfile(os.path.join(self.src, name)) for name in discovery.MANIFEST_NAMES):
            # the module folder itself
            name = os.path.basename(os.path.normpath(self.src))
            if name != self.module:
                self._check_top([name + '/'], [])
            root = self.src
        else:
            # an unpacked archive: the same rules as for the zip's top level
            tops = sorted(name + ('/' if os.path.isdir(os.path.join(self.src, name))
                                  and not os.path.islink(os.path.join(self.src, name)) else '')
                          for name in os.listdir(self.src))
            inner = []
            for top in tops:
                if top.endswith('/'):
                    inner.extend(top + name for name in sorted(os.listdir(os.path.join(self.src, top))))
            self._check_top(tops, inner)
            root = os.path.join(self.src, self.module)
        self.root = root
        for relative, full, info in walk_tree(root):
            if stat.S_ISLNK(info.st_mode):
                raise self.error('%s is a symbolic link; the addon must hold plain files and folders only' % full)
            if stat.S_ISDIR(info.st_mode):
                continue
            if not stat.S_ISREG(info.st_mode):
                raise self.error('%s is a special file; the addon must hold plain files and folders only' % full)
            self.members[relative] = _Member(relative, info.st_size, bool(info.st_mode & 0o111), full)

    def _check_top(self, tops, names):
        """Exactly one top-level folder, ``payment_<brand>/``; top-level files that carry no code (README,
        CHANGELOG, LICENSE, as some vendor zips have) are set aside in ``ignored``, never unpacked."""
        want = self.module + '/'
        folders = [top for top in tops if top.endswith('/')]
        files = [top for top in tops if not top.endswith('/')]
        others = [name for name in files if not is_documentation_file(name)]
        if folders == [want] and not others:
            self.ignored = files
            return
        found = ', '.join(tops) if tops else 'nothing'
        if len(folders) > 1:
            raise self.error('it must hold exactly one top-level folder, %s, but holds several: %s' % (want, found))
        if len(folders) == 1 and folders[0] != want:
            other = folders[0][:-1]
            if other.startswith(MODULE_PREFIX) and BRAND_RE.match(other[len(MODULE_PREFIX):]):
                other_brand = other[len(MODULE_PREFIX):]
                raise self.error('its module folder is %s/, not %s: it looks like the %s brand of the addon; '
                                 'set brand: %s if that is the one to deploy' % (other, want, other_brand, other_brand))
            inner = folders[0] + self.module
            nested = [name for name in names if name.rstrip('/') == inner or name.startswith(inner + '/')]
            hint = ' (%s is one level down: give that folder, or zip it at the top)' % want if nested else ''
            raise self.error('its top-level folder must be %s, found %s%s' % (want, folders[0], hint))
        if not folders:
            raise self.error('it must hold the folder %s at its top level, found: %s' % (want, found))
        raise self.error('it must hold only the folder %s at its top level (documentation files such as README or '
                         'LICENSE are set aside), found: %s' % (want, ', '.join(others)))

    # -- content ------------------------------------------------------------------
    def read(self, relative):
        """Bytes of one file of the module folder."""
        member = self.members[relative]
        try:
            if self.kind == 'zip':
                return self._zip.read(member.origin)
            with open(member.origin, 'rb') as handle:
                return handle.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            raise AddonError('Cannot read %s/%s in %s: %s' % (self.module, relative, self.label, exc))

    def manifest(self):
        """``(file name, manifest dict)``; raises when missing, unreadable, without version or not installable."""
        for name in discovery.MANIFEST_NAMES:
            if name in self.members:
                data, error = discovery.parse_manifest(self.read(name))
                where = '%s/%s' % (self.module, name)
                if data is None:
                    raise self.error('%s cannot be read as data: %s' % (where, error))
                version = data.get('version')
                if not isinstance(version, str) or not version.strip():
                    raise self.error('%s has no version' % where)
                if not data.get('installable', True):
                    raise self.error('%s says installable: False; Odoo would not install it' % where)
                return name, data
        raise self.error('%s/ has no %s' % (self.module, ' or '.join(discovery.MANIFEST_NAMES)))

    def declared_range(self, version):
        """``(range, source)``: the addon's constants, else the source's name, else the line table."""
        if CONSTANTS_PATH in self.members:
            text = self.read(CONSTANTS_PATH).decode('utf-8', 'replace')
            match = _CMS_RE.search(text)
            if match:
                declared = match.group('range')
                try:
                    generations.parse_range(declared)
                except generations.GenerationError:
                    raise self.error('%s/%s declares CMS_IDENTIFIER %r, which is not an Odoo range like "Odoo_16"'
                                     % (self.module, CONSTANTS_PATH, declared))
                return declared, 'constants'
        name = os.path.basename(os.path.normpath(self.src))
        if self.kind == 'folder':
            name = os.path.basename(os.path.dirname(os.path.normpath(self.root))) + '.zip'
        try:
            parsed = generations.parse_archive_name(name)
        except generations.GenerationError:
            parsed = None
        if parsed and parsed['version'] == version:
            return parsed['range'], 'archive name'
        try:
            return generations.line_of_version(version)['range'], 'line table'
        except generations.GenerationError:
            raise self.error('no CMS_IDENTIFIER in %s/%s, its name does not declare a range for version %s '
                             '(like Systempay_Odoo_16_v3.1.1.zip), and version %s is not of a known line'
                             % (self.module, CONSTANTS_PATH, version, version))

    def content_digest(self):
        """:func:`content_sha256` of the module folder (reads every file)."""
        return content_sha256((member.relative, member.executable, hashlib.sha256(self.read(member.relative)).hexdigest())
                              for member in self.members.values())

    def inspect(self, checksum=None, series=None, force_range=False):
        """Every check of the source, then its facts (see the ``addon_archive`` RETURN).

        ``warnings`` in the result lists what the caller should tell the user.
        """
        warnings = []
        archive_sha256 = None
        if self.kind == 'zip':
            archive_sha256 = file_digest(self.src)
        if checksum:
            algo, expected = parse_checksum(checksum)
            if self.kind != 'zip':
                raise self.error('checksum applies to the zip the vendor ships; this is a folder')
            actual = archive_sha256 if algo == 'sha256' else file_digest(self.src, algo)
            if actual != expected:
                raise AddonError('Cannot use archive %s: checksum mismatch: expected %s:%s, got %s:%s'
                                 % (self.src, algo, expected, algo, actual))
        dummy, manifest = self.manifest()
        version = manifest['version'].strip()
        declared, source = self.declared_range(version)
        content = self.content_digest()   # reads every file: a damaged zip fails here
        try:
            line = generations.line_of_version(version)['line']
        except generations.GenerationError:
            line = None
        fits = None
        if series is not None and str(series).strip() != '':
            try:
                fits = generations.range_includes(declared, series)
            except generations.GenerationError as exc:
                raise AddonError(str(exc))
            if not fits:
                message = self.range_message(version, declared, series)
                if not force_range:
                    raise AddonError(message + ', or set force_range to deploy it anyway')
                warnings.append(message + ' (deployed anyway: force_range is set)')
        return {
            'module': self.module,
            'version': version,
            'declared_range': declared,
            'range_source': source,
            'line': line,
            'fits': fits,
            'content_sha256': content,
            'archive_sha256': archive_sha256,
            'files': len(self.members),
            'size': sum(member.size for member in self.members.values()),
            'ignored': list(self.ignored),
            'warnings': warnings + (['%s: ignored the top-level file(s) %s, which are not part of the module'
                                     % (self.label, ', '.join(self.ignored))] if self.ignored else []),
        }

    def range_message(self, version, declared, series):
        what = '%s %s' % (self.brand.capitalize(), 'folder' if self.kind == 'folder' else 'archive')
        try:
            line = generations.line_for_series(series)
            use = 'use the %s.x line (%s)' % (line['line'], line['range'])
        except generations.GenerationError:
            use = 'no addon line supports it (the lines cover Odoo %d-%d)' % (
                generations.SUPPORTED_MAJORS[0], generations.SUPPORTED_MAJORS[-1])
        return '%s %s declares %s but this host runs Odoo %s: %s' % (what, version, declared, series, use)

    # -- unpacking ------------------------------------------------------------------
    def extract(self, target, file_mode=0o644, dir_mode=0o755):
        """Write the module folder's files into ``target`` (created, must not exist).

        Files get ``file_mode``, plus the execute bits matching its read bits when
        the source file is executable; folders get ``dir_mode`` (applied last,
        so a mode without write permission still lets the files be written).
        """
        os.mkdir(target, 0o700)
        folders = [target]
        for relative in sorted(self.members):
            member = self.members[relative]
            path = os.path.join(target, *relative.split('/'))
            parent = os.path.dirname(path)
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o700)
                head = parent
                while head != target and head not in folders:
                    folders.append(head)
                    head = os.path.dirname(head)
            mode = file_mode | ((file_mode & 0o444) >> 2) if member.executable else file_mode
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'wb') as handle:
                handle.write(self.read(relative))
            os.chmod(path, mode)
        for folder in sorted(folders, reverse=True):
            os.chmod(folder, dir_mode)
        return target


# -- compiling on the host -----------------------------------------------------------
# Run by the host's Odoo interpreter with the module folder as its argument: compiles every .py file (compile(), no
# import, nothing written) and prints one JSON list of the files that do not compile.
_COMPILE_SCRIPT = r"""
import json, os, sys
root = sys.argv[1]
bad = []
for top, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(files):
        if not name.endswith('.py'):
            continue
        path = os.path.join(top, name)
        with open(path, 'rb') as handle:
            data = handle.read()
        try:
            compile(data, path, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            bad.append({'file': os.path.relpath(path, root), 'line': getattr(exc, 'lineno', None),
                        'error': '%s: %s' % (type(exc).__name__, getattr(exc, 'msg', None) or exc)})
print(json.dumps(bad))
"""


def compile_errors(run_command, python, root):
    """Files of the module folder ``root`` that ``python`` (the host's Odoo interpreter) cannot compile.

    ``run_command(argv, cwd=None)`` returns ``(rc, out, err)``. Returns a list of ``{file, line, error}`` (empty when
    every file compiles); raises :class:`AddonError` when the interpreter cannot be run.
    """
    rc, out, err = run_command([python, '-c', _COMPILE_SCRIPT, root], cwd='/')
    lines = (out or '').strip().splitlines()
    try:
        found = json.loads(lines[-1]) if rc == 0 and lines else None
    except ValueError:
        found = None
    if not isinstance(found, list):
        detail = ((err or out or '').strip().splitlines() or ['exit status %s' % rc])[-1]
        raise AddonError('Cannot compile the addon\'s Python with %s: %s' % (python, detail))
    return found


def compile_message(module, errors, python):
    """The refusal naming each file that does not compile, its line and the cause."""
    return ('Cannot install %s: %d Python file%s of the archive do%s not compile with %s (Odoo would fail at -i/-u): %s'
            % (module, len(errors), 's' if len(errors) > 1 else '', '' if len(errors) > 1 else 'es', python,
               '; '.join('%s/%s line %s: %s' % (module, e['file'], e['line'], e['error']) for e in errors)))

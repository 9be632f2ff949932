# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/vendor_archive.py: names, checksums, the content hash of a zip and of a tree, unpacking."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import stat
import zipfile

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive as a
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.tests.unit.plugins.fixture_zips import make_zip


@pytest.mark.parametrize('text, expected', [
    ('sha256:' + 'AB' * 32, ('sha256', 'ab' * 32)),
    (' sha1:' + '0' * 40 + ' ', ('sha1', '0' * 40)),
])
def test_parse_checksum(text, expected):
    assert a.parse_checksum(text) == expected


@pytest.mark.parametrize('text, reason', [
    ('md5:' + '0' * 32, 'must be like'),
    ('0' * 64, 'must be like'),
    ('sha256:xyz', 'must be like'),
    ('sha256:' + '0' * 40, 'a sha256 digest has 64 hex digits, not 40'),
])
def test_parse_checksum_refuses(text, reason):
    with pytest.raises(a.AddonError, match=reason):
        a.parse_checksum(text)


def test_module_and_brand_names():
    assert a.module_for_brand('systempay') == 'payment_systempay'
    assert a.brand_of_module('payment_lyra') == 'lyra'
    for bad in ('Systempay', 'pay-zen', '', None, '1pay'):
        with pytest.raises(a.AddonError, match='Cannot use brand'):
            a.module_for_brand(bad)
    for bad in ('website', 'payment_', 'payment_Pay'):
        with pytest.raises(a.AddonError, match='must be payment_<brand>'):
            a.brand_of_module(bad)


def test_content_hash_ignores_order_and_counts_the_execute_bit():
    items = [('b.py', False, '1' * 64), ('a.py', False, '2' * 64)]
    assert a.content_sha256(items) == a.content_sha256(reversed(items))
    assert a.content_sha256(items) != a.content_sha256([('b.py', True, '1' * 64), ('a.py', False, '2' * 64)])
    assert a.content_sha256(items) != a.content_sha256([('c.py', False, '1' * 64), ('a.py', False, '2' * 64)])


def test_tree_hash_is_the_zip_hash_and_ignores_compiled_python(fixtures, tmp_path):
    with a.AddonSource(fixtures.zip('3.1.1')) as source:
        expected = source.load().content_digest()
    tree = str(tmp_path / 'payment_systempay')
    shutil.copytree(os.path.join(fixtures.unpacked('3.1.1'), 'payment_systempay'), tree)
    assert a.tree_sha256(tree) == expected
    os.makedirs(os.path.join(tree, 'models', '__pycache__'))
    with open(os.path.join(tree, 'models', '__pycache__', 'card.cpython-311.pyc'), 'wb') as handle:
        handle.write(b'compiled')
    with open(os.path.join(tree, 'stray.pyc'), 'wb') as handle:
        handle.write(b'compiled')
    assert a.tree_sha256(tree) == expected
    os.chmod(os.path.join(tree, '__init__.py'), 0o755)
    assert a.tree_sha256(tree) != expected
    os.chmod(os.path.join(tree, '__init__.py'), 0o644)
    os.symlink('__init__.py', os.path.join(tree, 'link.py'))
    assert a.tree_sha256(tree) != expected


def test_zip_without_unix_modes_hashes_like_plain_files(fixtures, tmp_path):
    with zipfile.ZipFile(fixtures.zip('3.1.1')) as archive:
        entries = [(info.filename, archive.read(info), None) for info in archive.infolist() if not info.is_dir()]
    with a.AddonSource(make_zip(tmp_path / 'windows.zip', entries)) as source:
        facts = source.load().inspect()
    assert facts['content_sha256'] == a.tree_sha256(os.path.join(fixtures.unpacked('3.1.1'), 'payment_systempay'))
    assert facts['range_source'] == 'constants'


def test_extract_writes_modes_even_with_read_only_folders(fixtures, tmp_path):
    src = make_zip(tmp_path / 'a.zip', [
        ('payment_systempay/', b'', stat.S_IFDIR | 0o755),
        ('payment_systempay/__manifest__.py', b"{'version': '3.1.1'}", stat.S_IFREG | 0o600),
        ('payment_systempay/bin/tool', b'#!/bin/sh\n', stat.S_IFREG | 0o700),
        ('payment_systempay/__pycache__/x.cpython-311.pyc', b'compiled', stat.S_IFREG | 0o644),
    ])
    target = str(tmp_path / 'out' / 'payment_systempay')
    os.makedirs(os.path.dirname(target))
    with a.AddonSource(src) as source:
        source.load().extract(target, file_mode=0o440, dir_mode=0o550)
        expected = source.content_digest()
    modes = dict((os.path.relpath(os.path.join(top, name), target), stat.S_IMODE(os.lstat(os.path.join(top, name)).st_mode))
                 for top, dirs, files in os.walk(target) for name in dirs + files)
    assert modes == {'__manifest__.py': 0o440, 'bin': 0o550, 'bin/tool': 0o550}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o550
    assert a.tree_sha256(target) == expected
    for top, dirs, files in os.walk(target):
        os.chmod(top, 0o755)   # let pytest clean up when not root


def test_parse_manifest_is_shared_with_discovery():
    assert discovery.parse_manifest(b"{'version': '3.1.1'}") == ({'version': '3.1.1'}, None)
    data, error = discovery.parse_manifest(b"{'version': open('/etc/passwd').read()}")
    assert data is None and error.startswith('ValueError')
    data, error = discovery.parse_manifest(b'\xff')
    assert data is None and error.startswith('UnicodeDecodeError')
    assert discovery.parse_manifest(b"['x']") == (None, 'manifest is not a dict')

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""addon_archive, driven through main() on the fixture archives and on hand-made bad ones.

The fixture zips come from tests/fixtures/addons/build.py (vendor-style archives of
every line), built once per session (tests/unit/plugins/conftest.py); exit_json/fail_json raise
(tests/unit/plugins/modules/utils.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shutil
import stat
import zipfile

import pytest

from ansible.module_utils import basic
from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive as addon_archive_utils
from ansible_collections.systempay.odoo.plugins.modules import addon_archive
from ansible_collections.systempay.odoo.tests.unit.plugins.fixture_zips import LINES, make_zip, rezip
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, patch_module_args)


def run(args):
    with patch_module_args(args):
        with pytest.raises(AnsibleExitJson) as exc:
            addon_archive.main()
    return exc.value.args[0]


def run_fail(args):
    with patch_module_args(args):
        with pytest.raises(AnsibleFailJson) as exc:
            addon_archive.main()
    return exc.value.args[0]


@pytest.mark.parametrize('version, declared, line', LINES)
def test_every_line(fixtures, version, declared, line):
    src = fixtures.zip(version)
    result = run({'src': src})
    assert result['changed'] is False
    assert (result['module'], result['version'], result['declared_range'], result['line']) == (
        'payment_systempay', version, declared, line)
    assert result['range_source'] == 'constants' and result['fits'] is None
    with open(src, 'rb') as handle:
        assert result['archive_sha256'] == hashlib.sha256(handle.read()).hexdigest()
    with zipfile.ZipFile(src) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
    assert result['files'] == len(files) and result['size'] == sum(info.file_size for info in files)
    # what the release imports beside Odoo (the addon role checks the host's interpreter for them)
    assert [item['module'] for item in result['python_imports']] == (
        ['pkg_resources', 'requests'] if version >= '3.1' else ['pkg_resources'])


@pytest.mark.parametrize('version, series', [('1.2.6', '14.0'), ('2.0.5', '15.0'), ('3.1.1', '16.0'),
                                             ('4.3.0', '17.0'), ('4.3.0', '19.0')])
def test_right_generation_fits(fixtures, version, series):
    assert run({'src': fixtures.zip(version), 'series': series})['fits'] is True


def test_wrong_generation_is_refused_naming_the_line_to_use(fixtures):
    result = run_fail({'src': fixtures.zip('1.2.6'), 'series': '16.0'})
    assert result['msg'].startswith('Systempay archive 1.2.6 declares Odoo_10-14 but this host runs Odoo 16.0: '
                                    'use the 3.x line (Odoo_16)')
    assert 'force_range' in result['msg']
    result = run_fail({'src': fixtures.zip('3.1.1'), 'series': '17.0'})
    assert 'declares Odoo_16 but this host runs Odoo 17.0: use the 4.x line (Odoo_17-19)' in result['msg']
    result = run_fail({'src': fixtures.zip('3.1.1'), 'series': '9.0'})
    assert 'no addon line supports it' in result['msg']


def test_wrong_generation_forced_is_accepted_with_a_warning(fixtures, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    result = run({'src': fixtures.zip('1.2.6'), 'series': '16.0', 'force_range': True})
    assert result['fits'] is False and result['version'] == '1.2.6'
    assert warnings == ['Systempay archive 1.2.6 declares Odoo_10-14 but this host runs Odoo 16.0: '
                        'use the 3.x line (Odoo_16) (deployed anyway: force_range is set)']


def test_constants_beat_the_zip_name(fixtures, tmp_path):
    src = str(tmp_path / 'Systempay_Odoo_16_v1.2.6.zip')
    shutil.copy(fixtures.zip('1.2.6'), src)
    result = run({'src': src})
    assert (result['declared_range'], result['range_source']) == ('Odoo_10-14', 'constants')
    assert run({'src': src, 'series': '12.0'})['fits'] is True
    assert 'declares Odoo_10-14' in run_fail({'src': src, 'series': '16.0'})['msg']


def test_zip_name_when_constants_are_absent(fixtures, tmp_path):
    src = rezip(fixtures.zip('4.3.0'), tmp_path / 'Systempay_Odoo_17-18_v4.3.0.zip',
                drop=('payment_systempay/helpers/constants.py',))
    result = run({'src': src, 'series': '18.0'})
    assert (result['declared_range'], result['range_source'], result['fits']) == ('Odoo_17-18', 'archive name', True)
    assert 'declares Odoo_17-18 but this host runs Odoo 19.0' in run_fail({'src': src, 'series': '19.0'})['msg']


def test_line_table_when_nothing_declares(fixtures, tmp_path):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'addon.zip', drop=('payment_systempay/helpers/constants.py',))
    result = run({'src': src})
    assert (result['declared_range'], result['range_source'], result['line']) == ('Odoo_16', 'line table', '3')
    # a name whose version is not the manifest's is not trusted
    renamed = str(tmp_path / 'Systempay_Odoo_10-14_v1.2.6.zip')
    shutil.copy(src, renamed)
    assert run({'src': renamed})['range_source'] == 'line table'


def test_folder_gives_the_content_hash_of_its_zip(fixtures):
    zipped = run({'src': fixtures.zip('3.1.1')})
    unpacked = run({'src': fixtures.unpacked('3.1.1')})
    module_dir = run({'src': os.path.join(fixtures.unpacked('3.1.1'), 'payment_systempay')})
    assert zipped['content_sha256'] == unpacked['content_sha256'] == module_dir['content_sha256']
    assert unpacked['archive_sha256'] is None and unpacked['range_source'] == 'constants'
    assert (unpacked['files'], unpacked['size']) == (zipped['files'], zipped['size'])
    assert run({'src': fixtures.zip('3.1.0')})['content_sha256'] != zipped['content_sha256']


def test_checksums(fixtures):
    src = fixtures.zip('3.1.1')
    with open(src, 'rb') as handle:
        data = handle.read()
    for algo in ('sha256', 'sha1'):
        good = '%s:%s' % (algo, hashlib.new(algo, data).hexdigest())
        assert run({'src': src, 'checksum': good})['version'] == '3.1.1'
        bad = '%s:%s' % (algo, hashlib.new(algo, b'other').hexdigest())
        msg = run_fail({'src': src, 'checksum': bad})['msg']
        assert msg == 'Cannot use archive %s: checksum mismatch: expected %s, got %s' % (src, bad, good)
    assert 'must be like "sha256:<hex>"' in run_fail({'src': src, 'checksum': 'md5:00'})['msg']
    assert 'a folder' in run_fail({'src': fixtures.unpacked('3.1.1'), 'checksum': good})['msg']


def test_corrupt_zip(tmp_path):
    src = str(tmp_path / 'Systempay_Odoo_16_v3.1.1.zip')
    with open(src, 'wb') as handle:
        handle.write(b'PK\x03\x04 this is not a zip')
    assert run_fail({'src': src})['msg'].startswith('Cannot read archive %s: not a zip file' % src)
    assert 'no such file or folder' in run_fail({'src': str(tmp_path / 'missing.zip')})['msg']


@pytest.mark.parametrize('name, problem', [
    ('payment_systempay/../../x', "climbs out of the folder it is unpacked in (..)"),
    ('../x', "climbs out of the folder it is unpacked in (..)"),
    ('/etc/cron.d/x', 'is an absolute path'),
    ('C:/x', 'starts with a drive letter'),
    ('payment_systempay\\..\\x', 'holds a backslash (a Windows path)'),
])
def test_unsafe_entries(fixtures, tmp_path, name, problem):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'a.zip', add=[(name, b'x', 0o100644)])
    assert run_fail({'src': src})['msg'] == 'Cannot use archive %s: entry %r %s' % (src, name, problem)


def test_symlink_entry(fixtures, tmp_path):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'a.zip',
                add=[('payment_systempay/data/link.xml', b'/etc/shadow', stat.S_IFLNK | 0o777)])
    msg = run_fail({'src': src})['msg']
    assert "entry 'payment_systempay/data/link.xml' is a symbolic link" in msg


def test_symlink_in_a_folder_source(fixtures, tmp_path):
    folder = str(tmp_path / 'unpacked')
    shutil.copytree(fixtures.unpacked('3.1.1'), folder)
    os.symlink('/etc/shadow', os.path.join(folder, 'payment_systempay', 'data', 'link.xml'))
    assert 'link.xml is a symbolic link' in run_fail({'src': folder})['msg']


def test_no_module_folder(tmp_path):
    src = make_zip(tmp_path / 'a.zip', [('__manifest__.py', b"{'version': '3.1.1'}", 0o100644)])
    expected = 'Cannot use archive %s: it must hold the folder payment_systempay/ at its top level, found: __manifest__.py'
    assert run_fail({'src': src})['msg'] == expected % src
    nested = make_zip(tmp_path / 'b.zip', [
        ('Systempay_Odoo_16_v3.1.1/payment_systempay/__manifest__.py', b"{'version': '3.1.1'}", 0o100644)])
    msg = run_fail({'src': nested})['msg']
    assert 'found Systempay_Odoo_16_v3.1.1/' in msg and 'payment_systempay/ is one level down' in msg


def test_two_module_folders(fixtures, tmp_path):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'a.zip', add=[('payment_other/__init__.py', b'', 0o100644)])
    assert run_fail({'src': src})['msg'].endswith(
        'holds several: payment_other/, payment_systempay/')


def test_other_brand(fixtures):
    msg = run_fail({'src': fixtures.zip('3.1.1', 'payzen')})['msg']
    assert 'its module folder is payment_payzen/, not payment_systempay/' in msg
    assert 'it looks like the payzen brand' in msg and 'set brand: payzen' in msg
    result = run({'src': fixtures.zip('3.1.1', 'payzen'), 'brand': 'payzen'})
    assert (result['module'], result['version']) == ('payment_payzen', '3.1.1')
    assert 'must be lower-case' in run_fail({'src': fixtures.zip('3.1.1'), 'brand': 'Pay-Zen'})['msg']


def test_manifest_missing_unreadable_or_not_installable(fixtures, tmp_path):
    manifest = 'payment_systempay/__manifest__.py'
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'a.zip', drop=(manifest,))
    assert run_fail({'src': src})['msg'].endswith('payment_systempay/ has no __manifest__.py or __openerp__.py')
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'b.zip', drop=(manifest,),
                add=[(manifest, b"{'name': 'x', 'version': __import__('os').getcwd()}", 0o100644)])
    assert 'cannot be read as data: ValueError' in run_fail({'src': src})['msg']
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'c.zip', drop=(manifest,),
                add=[(manifest, b"{'name': 'x', 'installable': False, 'version': '3.1.1'}", 0o100644)])
    assert 'says installable: False' in run_fail({'src': src})['msg']
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'd.zip', drop=(manifest,),
                add=[('payment_systempay/__openerp__.py', b"{'name': 'x', 'version': '3.1.1'}", 0o100644)])
    assert run({'src': src})['version'] == '3.1.1'


# -- a folder of vendor zips (files/ for a mixed fleet) -----------------------------------
@pytest.fixture(name='zips_folder')
def fixture_zips_folder(fixtures, tmp_path):
    """A files/ folder with several lines and versions, a zip of another brand and a stray file."""
    folder = tmp_path / 'files'
    folder.mkdir()
    for version in ('1.2.5', '1.2.6', '3.1.0', '3.1.1', '4.3.0'):
        shutil.copy(fixtures.zip(version), str(folder))
    (folder / 'Payzen_Odoo_16_v3.1.9.zip').write_bytes(b'not even a zip')
    (folder / 'README.md').write_text('drop the archives here\n')
    return str(folder)


@pytest.mark.parametrize('series, chosen', [('12.0', '1.2.6'), ('14.0', '1.2.6'), ('16.0', '3.1.1'),
                                            ('17.0', '4.3.0'), ('19.0', '4.3.0')])
def test_folder_of_zips_picks_the_highest_version_that_fits(zips_folder, series, chosen):
    result = run({'src': zips_folder, 'series': series})
    assert result['version'] == chosen and result['fits'] is True
    assert os.path.dirname(result['src']) == zips_folder
    assert result['src'].endswith('_v%s.zip' % chosen)
    assert result['archives_seen'] == sorted(
        os.path.basename(name) for name in os.listdir(zips_folder) if name.startswith('Systempay_'))


def test_folder_of_zips_without_a_fitting_line_names_what_it_saw(zips_folder):
    result = run_fail({'src': zips_folder, 'series': '15.0'})
    assert result['msg'].startswith('Cannot choose an archive in %s for Odoo 15.0: none of ' % zips_folder)
    for name in ('Systempay_Odoo_10-14_v1.2.6.zip', 'Systempay_Odoo_16_v3.1.1.zip', 'Systempay_Odoo_17-19_v4.3.0.zip'):
        assert name in result['msg']
    assert 'Payzen' not in result['msg'].split(';')[0]
    assert 'the 2.x line (Systempay_Odoo_15_v2.x.zip)' in result['msg']


def test_folder_of_zips_needs_the_series(zips_folder):
    assert 'the Odoo series of the host is needed' in run_fail({'src': zips_folder})['msg']


def test_folder_of_zips_of_another_brand_only(zips_folder):
    result = run_fail({'src': zips_folder, 'series': '16.0', 'brand': 'lyra'})
    assert result['msg'].startswith('Cannot choose an archive in %s: no Lyra_Odoo_<range>_v<version>.zip there (found: '
                                    % zips_folder)


def test_folder_of_zips_checks_the_chosen_one_like_a_zip(zips_folder):
    """The choice is by name; the content is then checked like any zip (here: its name lies about the range)."""
    os.rename(os.path.join(zips_folder, 'Systempay_Odoo_10-14_v1.2.6.zip'),
              os.path.join(zips_folder, 'Systempay_Odoo_10-15_v1.2.7.zip'))
    result = run_fail({'src': zips_folder, 'series': '15.0'})
    assert 'declares Odoo_10-14 but this host runs Odoo 15.0' in result['msg']


def test_unpacked_folder_is_not_taken_for_a_folder_of_zips(fixtures, tmp_path):
    """A folder holding payment_<brand>/ is an unpacked source, even with a zip beside it (then refused as such)."""
    folder = str(tmp_path / 'unpacked')
    shutil.copytree(fixtures.unpacked('3.1.1'), folder)
    result = run({'src': folder, 'series': '16.0'})
    assert result['version'] == '3.1.1' and result['src'] == folder and result['archives_seen'] == []
    shutil.copy(fixtures.zip('1.2.6'), folder)
    assert addon_archive_utils.is_archive_folder(folder, 'systempay') is False
    assert 'it must hold only the folder payment_systempay/ at its top level' in run_fail(
        {'src': folder, 'series': '16.0'})['msg']


def test_top_level_documentation_is_set_aside_and_named(fixtures, tmp_path, monkeypatch):
    """A vendor-style zip with README, CHANGELOG and LICENSE beside payment_systempay/ is accepted; they are not
    part of the module (not counted, not in the content checksum) and a warning names them."""
    plain = run({'src': fixtures.zip('3.1.1'), 'series': '16.0'})
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'Systempay_Odoo_16_v3.1.1.zip',
                add=[('README.md', b'# Systempay\n', 0o100644), ('LICENSE', b'GPL\n', 0o100644),
                     ('CHANGELOG.txt', b'3.1.1\n', 0o100644)])
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    result = run({'src': src, 'series': '16.0'})
    assert result['ignored'] == ['CHANGELOG.txt', 'LICENSE', 'README.md']
    assert result['content_sha256'] == plain['content_sha256'] and result['files'] == plain['files']
    assert warnings == ['archive %s: ignored the top-level file(s) CHANGELOG.txt, LICENSE, README.md, which are not '
                        'part of the module' % src]


@pytest.mark.parametrize('name', ['setup.py', 'hook.pyc', 'payment_systempay_extra.zip', 'run.sh'])
def test_top_level_code_or_other_files_are_still_refused(fixtures, tmp_path, name):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'Systempay_Odoo_16_v3.1.1.zip', add=[(name, b'x = 1\n', 0o100644)])
    msg = run_fail({'src': src})['msg']
    assert 'it must hold only the folder payment_systempay/ at its top level' in msg and 'found: ' + name in msg

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading odoo.conf like Odoo's RawConfigParser does, and editing it without disturbing it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import odoo_conf
from ansible_collections.systempay.odoo.plugins.module_utils.odoo_conf import OdooConf

# The Debian package's file, as the architecture describes it (addons_path commented out).
DEBIAN = (
    "[options]\n"
    "; This is the password that allows database operations:\n"
    "; admin_passwd = admin\n"
    "db_host = False\n"
    "db_port = False\n"
    "db_user = odoo\n"
    "db_password = False\n"
    ";addons_path = /usr/lib/python3/dist-packages/odoo/addons\n"
    "data_dir = /var/lib/odoo\n"
)

SOURCE = (
    "# managed by hand\n"
    "[options]\n"
    "admin_passwd = s3cret\n"
    "addons_path = /opt/odoo/odoo/addons,/opt/odoo/custom-addons\n"
    "xmlrpc_port: 8070\n"
    "dbfilter = ^%d$\n"
    "Log_Level = info\n"
    "\n"
    "[queue_job]\n"
    "channels = root:2\n"
)


def test_reads_like_rawconfigparser():
    conf = OdooConf(SOURCE)
    reference = configparser.RawConfigParser()
    reference.read_string(SOURCE)
    for key, value in reference.items('options'):
        assert conf.get(key) == value
    assert conf.get('channels', section='queue_job') == 'root:2'
    assert conf.keys() == ['admin_passwd', 'addons_path', 'xmlrpc_port', 'dbfilter', 'log_level']


def test_commented_lines_are_not_options():
    conf = OdooConf(DEBIAN)
    assert conf.get('addons_path') is None
    assert conf.get('admin_passwd') is None
    assert conf.get('data_dir') == '/var/lib/odoo'


@pytest.mark.parametrize('value, is_set', [
    ('/x', True), ('', False), ('None', False), ('False', False), ('false', False), ('0', True),
])
def test_is_set(value, is_set):
    assert OdooConf('[options]\naddons_path = %s\n' % value).is_set('addons_path') is is_set


def test_missing_key_is_not_set():
    assert OdooConf(DEBIAN).is_set('addons_path') is False


def test_continuation_lines():
    conf = OdooConf('[options]\naddons_path = /a,\n    /b\ndata_dir = /d\n')
    assert odoo_conf.split_list(conf.get('addons_path')) == ['/a', '/b']
    assert conf.get('data_dir') == '/d'


def test_secrets_left_out_of_as_dict():
    values = OdooConf(SOURCE).as_dict()
    assert 'admin_passwd' not in values
    assert values['dbfilter'] == '^%d$'
    assert OdooConf(SOURCE).as_dict(hide_secrets=False)['admin_passwd'] == 's3cret'
    assert {'admin_passwd', 'db_password'} <= odoo_conf.SECRET_OPTIONS


def test_duplicates_are_reported():
    conf = OdooConf('[options]\nhttp_port = 1\nhttp_port = 2\n')
    assert conf.duplicates == [('options', 'http_port')]
    assert conf.get('http_port') == '1'


@pytest.mark.parametrize('text', ['addons_path = /x\n', '[options]\nthis is not an option\n'])
def test_unreadable_files_raise(text):
    with pytest.raises(odoo_conf.OdooConfError):
        OdooConf(text)


def test_render_is_byte_identical():
    for text in (DEBIAN, SOURCE, '[options]\r\nx = 1\r\n', '[options]\nx = 1', ''):
        assert OdooConf(text).render() == text


def test_set_existing_key_keeps_everything_else():
    conf = OdooConf(SOURCE)
    assert conf.set('dbfilter', '^shop1$') is True
    expected = SOURCE.replace('dbfilter = ^%d$', 'dbfilter = ^shop1$')
    assert conf.render() == expected
    assert conf.set('dbfilter', '^shop1$') is False
    assert conf.render() == expected


def test_set_keeps_key_spelling_and_separator():
    conf = OdooConf(SOURCE)
    conf.set('log_level', 'warn')
    conf.set('xmlrpc_port', '8071')
    assert 'Log_Level = warn\n' in conf.render()
    assert 'xmlrpc_port: 8071\n' in conf.render()


def test_set_new_key_goes_after_the_last_option_of_the_section():
    conf = OdooConf(SOURCE)
    assert conf.set('list_db', 'False') is True
    lines = conf.render().splitlines()
    assert lines.index('list_db = False') == lines.index('Log_Level = info') + 1
    assert conf.render().replace('list_db = False\n', '') == SOURCE


def test_set_uncomments_nothing_and_adds_after_comments():
    conf = OdooConf(DEBIAN)
    conf.set('addons_path', '/srv/addons')
    assert conf.render() == DEBIAN + 'addons_path = /srv/addons\n'


def test_set_adds_missing_section_and_handles_missing_final_newline():
    conf = OdooConf('[other]\nx = 1')
    conf.set('http_port', '8069')
    assert conf.render() == '[other]\nx = 1\n[options]\nhttp_port = 8069\n'
    assert OdooConf(conf.render()).get('http_port') == '8069'


def test_set_replaces_a_multiline_value():
    conf = OdooConf('[options]\naddons_path = /a,\n    /b\ndata_dir = /d\n')
    conf.set('addons_path', '/c')
    assert conf.render() == '[options]\naddons_path = /c\ndata_dir = /d\n'


def test_set_keeps_crlf():
    conf = OdooConf('[options]\r\nx = 1\r\n')
    conf.set('y', '2')
    assert conf.render() == '[options]\r\nx = 1\r\ny = 2\r\n'


def test_set_refuses_multiline_values():
    with pytest.raises(odoo_conf.OdooConfError):
        OdooConf(SOURCE).set('dbfilter', 'a\nb')


def test_add_to_list_first_without_reordering_or_duplicating():
    conf = OdooConf(SOURCE)
    assert conf.add_to_list('addons_path', ['/var/lib/odoo/addons/16.0']) is True
    assert conf.get('addons_path') == '/var/lib/odoo/addons/16.0,/opt/odoo/odoo/addons,/opt/odoo/custom-addons'
    # already there (even spelt with a trailing slash): nothing changes
    before = conf.render()
    assert conf.add_to_list('addons_path', ['/opt/odoo/custom-addons/', '/var/lib/odoo/addons/16.0']) is False
    assert conf.render() == before
    # the only changed line is addons_path
    changed = [(a, b) for a, b in zip(SOURCE.splitlines(), before.splitlines()) if a != b]
    assert [a.split('=')[0].strip() for a, dummy in changed] == ['addons_path']


def test_add_to_list_last_and_on_unset_value():
    conf = OdooConf(DEBIAN)
    assert conf.add_to_list('addons_path', ['/a', '/b', '/a'], position='last') is True
    assert conf.get('addons_path') == '/a,/b'
    conf = OdooConf('[options]\naddons_path = False\n')
    conf.add_to_list('addons_path', ['/a'])
    assert conf.render() == '[options]\naddons_path = /a\n'


def test_add_to_list_bad_position():
    with pytest.raises(ValueError):
        OdooConf(SOURCE).add_to_list('addons_path', ['/a'], position='middle')


def test_line_of():
    assert OdooConf(SOURCE).line_of('dbfilter') == 6
    assert OdooConf(SOURCE).line_of('nope') is None


def test_from_file_and_bytes(tmp_path):
    path = tmp_path / 'odoo.conf'
    path.write_bytes(SOURCE.encode('utf-8'))
    assert OdooConf.from_file(str(path)).render() == SOURCE


@pytest.mark.parametrize('value, major, expected', [
    (None, 16, True), ('True', 16, True), ('true', 16, True), ('False', 16, False), ('false', 16, False),
    ('', 16, False), ('0', 16, True),           # up to 17 any other text is a truthy string
    ('0', 18, False), ('off', 18, False), ('Yes', 18, True), ('', 18, True), (False, 16, False),
])
def test_odoo_bool(value, major, expected):
    assert odoo_conf.odoo_bool(value, True, major) is expected


def test_split_list():
    assert odoo_conf.split_list(' /a , ,/b,') == ['/a', '/b']
    assert odoo_conf.split_list(None) == []


def test_add_to_list_on_unset_value_keeps_the_default():
    conf = OdooConf(DEBIAN)
    default = ['/usr/lib/python3/dist-packages/odoo/addons']
    assert conf.add_to_list('addons_path', ['/srv/a'], position='last', default=default) is True
    assert conf.render() == DEBIAN + 'addons_path = /usr/lib/python3/dist-packages/odoo/addons,/srv/a\n'
    conf = OdooConf(DEBIAN)
    assert conf.add_to_list('addons_path', ['/srv/a'], position='first', default=default) is True
    assert conf.get('addons_path') == '/srv/a,/usr/lib/python3/dist-packages/odoo/addons'
    # nothing new: the file stays as it is (Odoo already searches the default)
    conf = OdooConf(DEBIAN)
    assert conf.add_to_list('addons_path', [default[0] + '/'], default=default) is False
    assert conf.render() == DEBIAN
    # a set value wins over the default
    conf = OdooConf(SOURCE)
    conf.add_to_list('addons_path', ['/srv/a'], position='last', default=default)
    assert conf.get('addons_path') == '/opt/odoo/odoo/addons,/opt/odoo/custom-addons,/srv/a'


MASKED = '********'


def test_render_masks_secret_values_only():
    text = (
        "[options]\n"
        "; admin_passwd = older\n"
        "#db_password: oldest\n"
        "admin_passwd = s3cret\n"
        "db_password = False\n"
        "smtp_password =\n"
        "SMTP_user = mailer\n"
        "db_user = admin_passwd\n"
        "[other]\n"
        "db_password: other-secret\r\n"
    )
    masked = OdooConf(text).render(mask=MASKED)
    assert masked == (
        "[options]\n"
        "; admin_passwd = ********\n"
        "#db_password: ********\n"
        "admin_passwd = ********\n"
        "db_password = False\n"            # "not set" is no secret
        "smtp_password =\n"
        "SMTP_user = mailer\n"
        "db_user = admin_passwd\n"
        "[other]\n"
        "db_password: ********\r\n"
    )
    assert OdooConf(text).render() == text


def test_render_masks_continued_secret_values():
    text = '[options]\nadmin_passwd = part1\n    part2\n\n    part3\ndata_dir = /d\n'
    assert OdooConf(text).render(mask=MASKED) == (
        '[options]\nadmin_passwd = ********\n    ********\n\n    ********\ndata_dir = /d\n')


@pytest.mark.parametrize('text, message', [
    ('[options]\nx = 1\nX = 2\n', 'x is given twice in [options]'),
    ('[options]\nx = 1\n[options]\ny = 2\n', 'section [options] is given twice'),
])
def test_parse_strict_refuses_what_odoo_refuses(text, message):
    OdooConf(text)  # the lenient reader takes it
    with pytest.raises(odoo_conf.OdooConfError) as exc:
        odoo_conf.parse_strict(text)
    assert str(exc.value) == message


def test_parse_strict_accepts_what_odoo_reads():
    for text in (DEBIAN, SOURCE, '[options]\r\nx = 1\r\n', ''):
        assert odoo_conf.parse_strict(text).render() == text

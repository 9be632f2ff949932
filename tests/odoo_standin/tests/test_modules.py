"""Install/upgrade and module list behaviours (ground truth sections 1, 3, 4)."""
import os
import shutil

from standin_helpers import make_module, make_provider_addon


def _module(host, db, name):
    [mod] = host.execute(db, 'ir.module.module', 'search_read', [('name', '=', name)],
                         fields=['state', 'latest_version', 'installed_version'])
    return mod


def test_install_stores_series_prefixed_version_and_noupdate_records(host):
    make_provider_addon(host.addons, version='3.1.1')
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    with host.server():
        assert _module(host, 'shop1', 'payment_systempay')['latest_version'] == '16.0.3.1.1'
        [data] = host.execute('shop1', 'ir.model.data', 'search_read',
                              [('module', '=', 'payment_systempay'), ('name', '=', 'payment_provider_systempay')],
                              fields=['model', 'res_id', 'noupdate'])
        assert data['model'] == 'payment.provider' and data['noupdate'] is True
        [prov] = host.execute('shop1', 'payment.provider', 'read', [data['res_id']],
                              ['code', 'state', 'is_published', 'company_id', 'systempay_notify_url'])
    assert prov['code'] == 'systempay' and prov['state'] == 'test' and prov['is_published'] is False
    assert prov['company_id'][0] == 1
    assert prov['systempay_notify_url'] == 'http://localhost:%d/payment/systempay/ipn' % host.port


def test_upgrade_keeps_noupdate_settings_and_downgrade_is_silent(host):
    path = make_provider_addon(host.addons, version='3.1.1')
    host.create_db('shop1', 'account,payment_systempay')
    with host.server():
        [pid] = host.execute('shop1', 'payment.provider', 'search', [('code', '=', 'systempay')])
        host.execute('shop1', 'payment.provider', 'write', [pid], {'systempay_site_id': '87654321'})
    shutil.rmtree(path)
    make_provider_addon(host.addons, version='3.1.0')            # an older version
    result = host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init')
    assert result.returncode == 0
    with host.server():
        assert _module(host, 'shop1', 'payment_systempay')['latest_version'] == '16.0.3.1.0'
        [prov] = host.execute('shop1', 'payment.provider', 'read', [pid], ['systempay_site_id'])
    assert prov['systempay_site_id'] == '87654321'


def test_init_installs_dependencies(host):
    make_module(host.addons, 'leaf', depends=['middle'])
    make_module(host.addons, 'middle', depends=['mail'])
    host.create_db('shop1', 'leaf')
    with host.server():
        assert {_module(host, 'shop1', n)['state'] for n in ('leaf', 'middle', 'mail')} == {'installed'}


def test_update_list_counts_every_module_above_stored_version(host):
    host.create_db('shop1')
    make_module(host.addons, 'brand_new', version='1.0')
    with host.server():
        uninstalled = host.execute('shop1', 'ir.module.module', 'search_read', [('state', '=', 'uninstalled')],
                                   fields=['installed_version'])
        updated, added = host.execute('shop1', 'ir.module.module', 'update_list')
        again = host.execute('shop1', 'ir.module.module', 'update_list')
    # an uninstalled module has no stored version (read as 1.0): a disk version above counts as "updated"
    above_default = [m for m in uninstalled if m['installed_version'] != '16.0.1.0']
    assert len(above_default) >= 3
    assert (updated, added) == (len(above_default), 1)
    assert again == [len(above_default) + 0, 0]   # not "what changed": the same count again


def test_running_server_caches_manifests(host):
    path = make_module(host.addons, 'my_module', version='1.0')
    host.create_db('shop1', 'my_module')
    with host.server():
        assert _module(host, 'shop1', 'my_module')['installed_version'] == '16.0.1.0'   # registry loaded
        shutil.rmtree(path)
        make_module(host.addons, 'my_module', version='2.0')          # new version on disk
        make_module(host.addons, 'other_new', version='1.0')          # brand-new module
        assert host.execute('shop1', 'ir.module.module', 'update_list')[1] == 1
        assert _module(host, 'shop1', 'other_new')['state'] == 'uninstalled'
        assert _module(host, 'shop1', 'my_module')['installed_version'] == '16.0.1.0'
        [mid] = host.execute('shop1', 'ir.module.module', 'search', [('name', '=', 'my_module')])
        action = host.execute('shop1', 'ir.module.module', 'button_immediate_upgrade', [mid])
        assert action == {'type': 'ir.actions.client', 'tag': 'reload'}
        assert _module(host, 'shop1', 'my_module')['latest_version'] == '16.0.1.0'   # still the cached one
    with host.server():                                                              # after a restart
        host.execute('shop1', 'ir.module.module', 'button_immediate_upgrade', [mid])
        assert _module(host, 'shop1', 'my_module')['latest_version'] == '16.0.2.0'


def test_button_immediate_install_over_rpc(host):
    make_provider_addon(host.addons)
    host.create_db('shop1', 'account,payment')
    with host.server():
        host.execute('shop1', 'ir.module.module', 'update_list')
        [mid] = host.execute('shop1', 'ir.module.module', 'search', [('name', '=', 'payment_systempay')])
        action = host.execute('shop1', 'ir.module.module', 'button_immediate_install', [mid])
        assert action['type'] == 'ir.actions.client'
        assert _module(host, 'shop1', 'payment_systempay')['state'] == 'installed'
        status, _h, body = host.http('POST', '/payment/systempay/ipn', data=b'')
        assert (status, body) == (200, 'Bad request received.')


def test_uninstallable_module(host):
    make_module(host.addons, 'old_one', extra_manifest="'installable': False")
    host.create_db('shop1', 'old_one')
    with host.server():
        assert _module(host, 'shop1', 'old_one')['state'] == 'uninstallable'
    assert host.database_exists('shop1')


def _things(host, db):
    return host.execute(db, 'thing.thing', 'search_read', [], fields=['name', 'colour', 'size'], order='id')


def test_upgrade_fills_a_new_column_with_its_default_computed_during_the_upgrade(host):
    """Odoo's _auto_init: a stored field new to a table with rows gets its default in those rows (_init_column),
    computed while the module is 'to upgrade'; a field without a default stays empty; records created later get
    the default of that time."""
    model = '''
        from odoo import fields, models

        def _default_colour(self):
            mod = self.env['ir.module.module'].search([('name', '=', 'thing')])
            return 'upgrading' if any(m.state == 'to upgrade' for m in mod) else 'fresh'

        class Thing(models.Model):
            _name = 'thing.thing'
            _description = 'Thing'
            name = fields.Char()
    '''
    files = {'__init__.py': 'from . import models\n', 'models.py': model}
    make_module(host.addons, 'thing', version='1.0', files=files)
    host.create_db('shop1', 'thing')
    host.shell('shop1', "env['thing.thing'].create({'name': 'old'}); env.cr.commit()\n")
    shutil.rmtree(os.path.join(host.addons, 'thing'))
    files['models.py'] = model + '''
            colour = fields.Char(default=_default_colour)
            size = fields.Integer()
    '''
    make_module(host.addons, 'thing', version='2.0', files=files)
    assert host.odoo('-d', 'shop1', '-u', 'thing', '--stop-after-init').returncode == 0
    host.shell('shop1', "env['thing.thing'].create({'name': 'new'}); env.cr.commit()\n")
    with host.server():
        assert [(t['name'], t['colour'], t['size']) for t in _things(host, 'shop1')] == \
            [('old', 'upgrading', 0), ('new', 'fresh', 0)]


MIGRATION = '''
def migrate(cr, version):
    from odoo import api, SUPERUSER_ID
    icp = api.Environment(cr, SUPERUSER_ID, {})['ir.config_parameter']
    icp.set_param('migrations', (icp.get_param('migrations') or '') + '%s from ' + version + ';')
'''


def test_an_upgrade_runs_the_migration_scripts_between_the_two_versions(host):
    """Odoo's MigrationManager: folders above the installed version and up to the new one (the series put in front
    of a short version), 0.0.0 at every version change; pre before the module's code, post after its data, end
    after every module; each gets the installed version."""
    make_module(host.addons, 'mig', version='1.0')
    host.create_db('shop1', 'mig')
    scripts = {'pre-a.py': 'pre 1.1', 'post-b.py': 'post 1.1', 'end-c.py': 'end 1.1', 'notes.py': 'never'}
    files = dict(('migrations/1.1/' + name, MIGRATION % text) for name, text in scripts.items())
    files.update({'migrations/16.0.1.2/pre-d.py': MIGRATION % 'pre 16.0.1.2',
                  'migrations/1.0/pre-e.py': MIGRATION % 'pre 1.0 (installed already)',
                  'migrations/1.3/pre-f.py': MIGRATION % 'pre 1.3 (above the new version)',
                  'migrations/0.0.0/post-g.py': MIGRATION % 'post 0.0.0'})
    shutil.rmtree(os.path.join(host.addons, 'mig'))
    make_module(host.addons, 'mig', version='1.2', files=files)
    result = host.odoo('-d', 'shop1', '-u', 'mig', '--stop-after-init')
    assert result.returncode == 0, result.stderr
    ran = host.shell('shop1', "print('RAN', env['ir.config_parameter'].get_param('migrations'))").stdout
    assert ('RAN pre 1.1 from 16.0.1.0;pre 16.0.1.2 from 16.0.1.0;post 0.0.0 from 16.0.1.0;post 1.1 from 16.0.1.0;'
            'end 1.1 from 16.0.1.0;') in ran, ran
    assert 'module mig: Running migration [>1.1] odoo.addons.mig.migrations.pre-a' in host.read_log()
    # nothing runs when the version does not change, nor at an install
    assert host.odoo('-d', 'shop1', '-u', 'mig', '--stop-after-init').returncode == 0
    assert host.shell('shop1', "print('RAN', env['ir.config_parameter'].get_param('migrations'))").stdout == ran
    host.create_db('shop2', 'mig')
    assert 'RAN False' in host.shell('shop2', "print('RAN', env['ir.config_parameter'].get_param('migrations'))").stdout

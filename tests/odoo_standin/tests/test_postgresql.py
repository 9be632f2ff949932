"""The stand-in's databases in PostgreSQL (``standin_storage = postgresql``, odoo/sql_pg.py): Odoo's tables, columns
and types, relation tables, database listing by owner, connection from odoo.conf (socket and peer, TCP and password),
registry signaling between a CLI process and a running server, a failed upgrade rolled back."""
from standin_helpers import Host, make_provider_addon

IPN = '/payment/systempay/ipn'


def columns(cluster, db, table):
    rows = cluster.sql("SELECT column_name || ' ' || data_type FROM information_schema.columns "
                       "WHERE table_name = '%s' ORDER BY column_name" % table, db)
    return dict(row.split(' ', 1) for row in rows.splitlines())


def test_odoo_tables_columns_and_types(pg_host, pg_cluster):
    make_provider_addon(pg_host.addons)
    pg_host.create_db('shop1', 'account,payment_systempay')
    module = pg_cluster.sql("SELECT state, latest_version FROM ir_module_module WHERE name = 'payment_systempay'",
                            'shop1')
    assert module.strip() == 'installed|16.0.3.1.1'
    table = columns(pg_cluster, 'shop1', 'payment_provider')
    # name is translatable: one jsonb column from 16.0; a selection is a varchar, a many2one an integer
    assert table['name'] == 'jsonb' and table['code'] == 'character varying'
    assert table['company_id'] == 'integer' and table['is_published'] == 'boolean'
    assert table['write_date'] == 'timestamp without time zone' and table['id'] == 'integer'
    assert 'main_currency_id' not in table          # a related field without store=True has no column
    # an attachment's content is in the filestore: no column for raw / datas, its path and checksum in columns
    attachment = columns(pg_cluster, 'shop1', 'ir_attachment')
    assert 'raw' not in attachment and 'datas' not in attachment and attachment['db_datas'] == 'bytea'
    assert attachment['store_fname'] == attachment['checksum'] == 'character varying'
    assert pg_cluster.sql("SELECT name->>'en_US' FROM payment_provider WHERE code = 'systempay'", 'shop1').strip() \
        == 'Systempay'
    assert pg_cluster.sql("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'", 'shop1').strip() \
        == 'http://localhost:%d' % pg_host.port
    assert pg_cluster.sql("SELECT login FROM res_users WHERE id = 2", 'shop1').strip() == 'admin'
    assert pg_cluster.sql("SELECT module || '.' || name || ' ' || res_id FROM ir_model_data "
                          "WHERE model = 'payment.provider' AND module = 'payment_systempay'", 'shop1').split() == [
        'payment_systempay.payment_provider_systempay',
        pg_cluster.sql("SELECT id FROM payment_provider WHERE code = 'systempay'", 'shop1').strip()]
    # a database created by the CLI belongs to the user Odoo connects as
    assert pg_cluster.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop1'").strip() \
        == pg_cluster.user


def test_translated_names_are_varchar_before_16(tmp_path, pg_cluster):
    host = Host(tmp_path, series='15.0')
    host.use_cluster(pg_cluster)
    try:
        host.create_db('shop15', 'payment')
        assert columns(pg_cluster, 'shop15', 'payment_acquirer')['name'] == 'character varying'
    finally:
        pg_cluster.drop_databases()


def test_many2many_in_relation_tables(pg_host, pg_cluster):
    make_provider_addon(pg_host.addons)
    pg_host.create_db('shop1', 'account,payment_systempay')
    result = pg_host.shell('shop1', '''
        provider = env['payment.provider'].search([('code', '=', 'systempay')])
        icons = env['payment.icon'].search([], limit=2)
        provider.write({'payment_icon_ids': [(6, 0, icons.ids)]})
        env.cr.commit()
        print(sorted(provider.payment_icon_ids.ids) == sorted(icons.ids), len(icons))
    ''')
    assert result.stdout.split() == ['True', '2'], result.stderr
    rel = pg_cluster.sql('SELECT count(*) FROM payment_icon_payment_provider_rel', 'shop1')
    assert rel.strip() == '2'


def test_databases_are_listed_as_odoo_lists_them(pg_host, pg_cluster):
    pg_host.create_db('shop1')
    pg_cluster.sql('CREATE DATABASE other_owner')          # owned by postgres: not this Odoo's
    with pg_host.server():
        assert pg_host.rpc('db').list() == ['shop1']
    missing = pg_host.shell('nosuchdb', 'print(1)')
    assert missing.returncode != 0 and 'database "nosuchdb" does not exist' in missing.stderr + pg_host.read_log()


def test_tcp_with_a_password(pg_host, pg_cluster):
    """db_host 127.0.0.1, db_port, db_user and db_password from odoo.conf: the cluster asks TCP clients for a
    password (scram-sha-256)."""
    pg_cluster.sql("CREATE ROLE shopowner LOGIN CREATEDB PASSWORD 's3cret'")
    try:
        pg_host.write_conf(db_host='127.0.0.1', db_user='shopowner', db_password='wrong')
        failed = pg_host.odoo('-d', 'shoptcp', '-i', 'base', '--stop-after-init')
        assert failed.returncode != 0
        assert 'password authentication failed for user "shopowner"' in pg_host.read_log() + failed.stderr
        pg_host.write_conf(db_password='s3cret')
        pg_host.create_db('shoptcp')
        assert pg_cluster.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shoptcp'").strip() \
            == 'shopowner'
    finally:
        pg_cluster.drop_databases()
        pg_cluster.sql('DROP ROLE shopowner')


def test_an_upgrade_by_the_cli_reaches_the_running_server(pg_host, pg_cluster):
    """The CLI's -u bumps base_registry_signaling; the server sees it and reloads the registry."""
    make_provider_addon(pg_host.addons)
    pg_host.create_db('shop1', 'account,payment_systempay')
    with pg_host.server():
        assert pg_host.http('GET', IPN)[0] == 405
        before = pg_cluster.sql('SELECT last_value FROM base_registry_signaling', 'shop1').strip()
        assert pg_host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 0
        after = pg_cluster.sql('SELECT last_value FROM base_registry_signaling', 'shop1').strip()
        assert int(after) > int(before)
        assert pg_host.http('GET', IPN)[0] == 405
        assert 'Reloading the model registry after database signaling.' in pg_host.read_log()


def test_a_failed_upgrade_leaves_the_rows_as_they_were(pg_host, pg_cluster):
    make_provider_addon(pg_host.addons)
    pg_host.create_db('shop1', 'account,payment_systempay')
    row = pg_cluster.sql("SELECT state, latest_version, write_date FROM ir_module_module "
                         "WHERE name = 'payment_systempay'", 'shop1')
    with open('%s/payment_systempay/__init__.py' % pg_host.addons, 'a') as handle:
        handle.write('raise ImportError("broken at registry load")\n')
    assert pg_host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 255
    assert pg_cluster.sql("SELECT state, latest_version, write_date FROM ir_module_module "
                          "WHERE name = 'payment_systempay'", 'shop1') == row


def test_a_migration_that_commits_then_fails_keeps_what_it_committed(pg_host, pg_cluster):
    """A migration script's SQL runs for real, and what it commits before it fails stays: -u exits 255, the module
    keeps its old version (Odoo's loader rolls the rest back), the provider row keeps the migration's change."""
    make_provider_addon(pg_host.addons, version='3.1.0')
    pg_host.create_db('shop1', 'account,payment_systempay')
    make_provider_addon(pg_host.addons, version='3.1.1', extra_files={'migrations/16.0.3.1.1/pre-migration.py': '''
def migrate(cr, version):
    cr.execute("UPDATE payment_provider SET state = 'disabled' WHERE code = %s", ('systempay',))
    cr.commit()
    raise RuntimeError('failed after its commit')
'''})
    result = pg_host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init')
    assert result.returncode == 255
    assert 'RuntimeError: failed after its commit' in pg_host.read_log()
    assert pg_cluster.sql("SELECT state, latest_version FROM ir_module_module WHERE name = 'payment_systempay'",
                          'shop1').strip() == 'installed|16.0.3.1.0'
    assert pg_cluster.sql("SELECT state FROM payment_provider WHERE code = 'systempay'", 'shop1').strip() == 'disabled'

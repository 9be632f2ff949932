# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of systempay.odoo.addon_plan (documented in plugins/modules/addon_plan.py): the read-only plan of
the addon role, worked out in the controller's own process from the gather stage's facts. The host is asked
something only where those facts cannot answer: a destination off Odoo's own addons folder (``stat``, and a read
test as the service user), an earlier run's unfinished upgrade (the newest backup's content), and the Python imports
of a release that gather did not ask about. Each refusal is the message the role's task files gave before."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import json
import os
import re
import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.compat.version import LooseVersion
from urllib.parse import urlsplit
from ansible.plugins.action import ActionBase

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive

ARGS = {
    'brand': {'type': 'str', 'default': 'systempay'},
    'src': {'type': 'str', 'default': ''},
    'url': {'type': 'str', 'default': ''},
    'checksum': {'type': 'str', 'default': ''},
    'cache_dir': {'type': 'str', 'default': ''},
    'search_dirs': {'type': 'list', 'elements': 'str', 'default': []},
    'force_range': {'type': 'bool', 'default': False},
    'dest': {'type': 'str', 'default': ''},
    'backup_keep': {'type': 'int', 'default': 3},
    'restart_timeout': {'type': 'int', 'default': 120},
    'manage_config': {'type': 'bool', 'default': True},
    'dbfilter': {'type': 'str', 'default': ''},
    'allow_downgrade': {'type': 'bool', 'default': False},
    'odoo_facts': {'type': 'dict', 'default': {}},
    'odoo_service': {'type': 'str', 'default': 'auto'},
    'odoo_config': {'type': 'str', 'default': ''},
    'odoo_binary': {'type': 'str', 'default': ''},
    'scope': {'type': 'str', 'default': 'files', 'choices': ['files', 'host']},
}

STAGES = ['addon', 'modules', 'settings', 'probe']
ZIP_PATTERN = '*_Odoo_*_v*.zip'
# asked of Odoo's interpreter without importing anything: the names of the modules it cannot find
FIND_SPEC = 'import importlib.util, sys; print(" ".join(n for n in sys.argv[1:] if importlib.util.find_spec(n) is None))'


class Refused(Exception):
    """A check of the plan failed: the host is refused with this message, nothing was changed."""


def input_problems(args):
    """What is wrong with the role's inputs, each naming the variable to fix (empty when nothing is)."""
    problems = []
    brand, url, checksum, dest = args['brand'], args['url'], args['checksum'], args['dest']
    if not vendor_archive.BRAND_RE.match(brand):
        problems.append('addon_brand %s must be lower-case letters, digits and _ (like systempay, payzen, lyra)'
                        % json.dumps(brand))
    if args['src'] and url:
        problems.append('give addon_src or addon_url, not both')
    problems.extend(vendor_archive.download_problems(url, checksum))
    if args['backup_keep'] < 1:
        problems.append('addon_backup_keep is %s: keep at least 1 backup, the rollback restores it' % args['backup_keep'])
    if not 10 <= args['restart_timeout'] <= 3600:
        problems.append('addon_restart_timeout is %s: give 10 to 3600 seconds' % args['restart_timeout'])
    if dest and not re.match(r'/[^/]', dest):
        problems.append('addon_dest %s must be an absolute path (or empty for <data_dir>/addons/<series>)' % dest)
    return problems


def is_newer(left, right):
    """``left`` is a later version than ``right`` (Ansible's ``version`` test, loose)."""
    return LooseVersion(str(left)) > LooseVersion(str(right))


def known(before):
    """The version of the copy in place when it is known: not None (no copy), not a copy off the addons path."""
    return before if before is not None and not before.startswith('unknown') else None


def selected_stages(run_tags, skip_tags):
    """The stages of playbooks/site.yml that --tags / --skip-tags select (all of them in an untagged run)."""
    run_tags = list(run_tags or ['all'])
    chosen = STAGES if 'all' in run_tags else [stage for stage in STAGES if stage in run_tags]
    return [stage for stage in chosen if stage not in (skip_tags or [])]


def where(odoo, args):
    """The facts of the destination worked out from Odoo's: dest, is_data_dir, search_path, http_url."""
    data_dir = odoo['addons_data_dir']
    dest = args['dest'].rstrip('/') if args['dest'] else data_dir['path']
    is_data_dir = not args['dest'] or args['dest'].rstrip('/') == data_dir['path']
    search_path = data_dir['effective_addons_path_when_readable'] if is_data_dir else odoo['effective_addons_path']
    iface = odoo['http_interface'] if odoo['http_interface'] not in ('', '0.0.0.0', '::') else '127.0.0.1'
    http_url = 'http://%s:%s' % (('[%s]' % iface) if ':' in iface else iface, odoo['http_port'])
    return dict(dest=dest, is_data_dir=is_data_dir, search_path=list(search_path), http_url=http_url)


def check_service(odoo, plan, args, host):
    """Refuse a host whose Odoo cannot be restarted, checked, or configured the way the role does it."""
    problem = None
    if not odoo.get('service'):
        problem = ('no systemd unit runs Odoo (%s), so it cannot be restarted; set systempay_odoo_service'
                   % odoo.get('binary'))
    elif not odoo.get('http_enable'):
        problem = 'the HTTP service is off (http_enable), the role cannot check that Odoo answers after the restart'
    elif odoo.get('addons_path_source') == 'command line' and plan['dest'] not in plan['search_path']:
        problem = ('addons_path is given on the command line of %s (%s), so editing %s would change nothing: add %s '
                   'there, or set addon_dest to one of %s' % (odoo['service'], odoo.get('exec_start'), odoo.get('config'),
                                                              plan['dest'], ', '.join(plan['search_path'])))
    elif args['dbfilter'] and 'db_filter' in (odoo.get('cli_options') or []):
        problem = 'dbfilter is given on the command line of %s: set it there, not with addon_dbfilter' % odoo['service']
    if problem:
        raise Refused('Cannot deploy the addon on %s: %s' % (host, problem))
    owner = odoo.get('port_owner')
    if owner is not None and owner.get('in_service') is False:
        status = odoo.get('service_status') or {}
        raise Refused(
            'Cannot deploy the addon on %s: port %s is served by pid %s (user %s, %s: %s), not by %s (%s, main pid %s). '
            'Restarting %s would not restart the Odoo that answers, which would keep the old addon in memory. Stop '
            'that process and start Odoo with %s, or set systempay_odoo_service to the unit that runs it.'
            % (host, odoo['http_port'], owner.get('pid'), owner.get('user'),
               ('unit %s' % owner['unit']) if owner.get('unit') else ('cgroup %s' % owner.get('cgroup')),
               owner.get('command'), odoo['service'], status.get('active_state', 'unknown'), status.get('main_pid', 0),
               odoo['service'], odoo['service']))


def choose_source(args):
    """The archive to check: addon_src, the download of addon_url, or the first search folder holding a vendor zip."""
    if args['src']:
        return args['src']
    if args['url']:
        return '%s/%s' % (args['cache_dir'], os.path.basename(urlsplit(args['url']).path))
    for folder in args['search_dirs']:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        if any(not name.startswith('.') and fnmatch.fnmatch(name, ZIP_PATTERN)
               and os.path.isfile(os.path.join(folder, name)) for name in names):
            return folder
    raise Refused('No addon archive to deploy: addon_src and addon_url are empty and neither of %s holds a '
                  '%s_Odoo_<range>_v<version>.zip; put the vendor zip there or set addon_src (or addon_url with '
                  'addon_checksum)' % (', '.join(args['search_dirs']), args['brand'].capitalize()))


def check_destination(plan, dest_stat, parent, args, odoo, host):
    """Refuse a destination that cannot take the module, or that Odoo would not search."""
    dest = plan['dest']
    problem = None
    if dest_stat.get('exists') and not dest_stat.get('isdir'):
        problem = 'it is not a folder'
    elif dest_stat.get('exists') and not dest_stat.get('writeable'):
        problem = 'the folder is not writable (read-only file system or permissions); choose another addon_dest'
    elif not dest_stat.get('exists') and parent.get('exists') and not (parent.get('isdir') and parent.get('writeable')):
        problem = ('it does not exist and %s is not a writable folder (read-only file system or permissions); choose '
                   'another addon_dest' % os.path.dirname(dest))
    elif not args['manage_config'] and dest not in plan['search_path']:
        problem = ("it is not on Odoo's addons path (%s) and addon_manage_config is false: add it to addons_path in %s, "
                   "or choose one of those folders" % (', '.join(plan['search_path']), odoo.get('config')))
    if problem:
        raise Refused('Cannot install %s in %s on %s: %s' % (plan['module'], dest, host, problem))


def check_other_copies(plan, odoo, host):
    """Refuse copies of the module elsewhere on the addons path: Odoo loads the first one silently."""
    dest, module, search_path = plan['dest'], plan['module'], plan['search_path']
    others = [copy for copy in odoo['addon']['copies'] if copy['addons_dir'] != dest]
    if not others:
        return
    dirs = ([dest] if dest in search_path else []) + [copy['addons_dir'] for copy in others]
    winner = '%s/%s' % (next((folder for folder in search_path if folder in dirs), dest), module)
    raise Refused(
        "Cannot deploy %s into %s on %s: Odoo's addons path already holds %s. Odoo loads the first copy on its path "
        "(%s), which would be %s%s. Remove %s, or set addon_dest to %s to deploy there instead."
        % (module, dest, host, ', '.join('%s version %s' % (copy['path'], copy['version']) for copy in others),
           ' > '.join(search_path), winner, ' (the new one)' if winner == '%s/%s' % (dest, module) else ', not the new one',
           ' and '.join(copy['path'] for copy in others), others[0]['addons_dir']))


def check_stages(plan, archive, run_tags, skip_tags, host):
    """Refuse --tags that leave out a stage the selected ones need, naming the tag to add."""
    selected = selected_stages(run_tags, skip_tags)
    before, version = plan['before'], archive['version']
    if not plan['needs_files']:
        return
    files = ('an install of %s' % version) if before is None else ('a change from %s to %s' % (before, version))
    head = ('Cannot run the stages %s on %s: the addon files in %s need %s.'
            % (', '.join(selected), host, plan['dest'], files))
    if 'addon' not in selected and any(stage in selected for stage in ('modules', 'settings')):
        raise Refused('%s That belongs to the stage addon, which --tags/--skip-tags leave out, and the stages selected '
                      'would work on the databases with the files in place (%s): add the tag addon.'
                      % (head, before or 'none'))
    if before is not None and 'addon' in selected and 'modules' not in selected:
        raise Refused('%s Changing installed files without upgrading the databases leaves them on the code of %s while '
                      'Odoo runs %s: add the tag modules.' % (head, before, version))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        dummy, args = self.validate_argument_spec(argument_spec=ARGS)
        self._vars = task_vars
        # what the plan worked out before a refusal, returned with it (the run report names the archive and where)
        self._partial = {}
        try:
            result.update(self._plan(args, task_vars.get('inventory_hostname', '')))
        except (Refused, vendor_archive.AddonError) as exc:
            result.update(self._partial, changed=False, failed=True, msg=to_native(exc))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    # ---- the host, where gather's facts cannot answer ----------------------------------------------------------
    def _module(self, name, module_args, check_mode=None):
        saved = self._task.check_mode
        if check_mode is not None:
            self._task.check_mode = check_mode
        try:
            return self._execute_module(module_name=name, module_args=module_args, task_vars=self._vars)
        finally:
            self._task.check_mode = saved

    def _stat(self, path):
        answer = self._module('ansible.builtin.stat', {'path': path, 'get_checksum': False})
        if answer.get('failed'):
            raise Refused('Cannot look at %s on the host: %s' % (path, answer.get('msg')))
        return answer['stat']

    def _command(self, argv):
        answer = self._low_level_execute_command('cd / && ' + ' '.join(shlex.quote(part) for part in argv))
        return answer['rc'], answer.get('stdout', ''), answer.get('stderr', '')

    # ---- the plan ---------------------------------------------------------------------------------------------
    def _plan(self, args, host):
        problems = input_problems(args)
        if problems:
            raise Refused('Cannot use these inputs of the systempay.odoo.addon role: %s' % '; '.join(problems))
        odoo = args['odoo_facts']
        if not odoo:
            odoo = self._module('systempay.odoo.odoo_info', dict(
                brand=args['brand'], service=args['odoo_service'],
                **{key: args['odoo_' + key] for key in ('config', 'binary') if args['odoo_' + key]}))
            if odoo.get('failed'):
                raise Refused(odoo.get('msg'))
        plan = self._partial = dict(where(odoo, args), odoo=odoo, module='payment_%s' % args['brand'], changed=False)
        check_service(odoo, plan, args, host)
        if args['scope'] == 'host':
            return plan

        source = choose_source(args)
        archive = vendor_archive.check(dict(
            src=os.path.expanduser(os.path.expandvars(source)), brand=args['brand'],
            checksum=args['checksum'] or None, series=odoo['series'], force_range=args['force_range']))
        warnings = archive.pop('warnings', [])
        plan.update(source=source, archive=archive)

        dest = plan['dest']
        data_dir = odoo['addons_data_dir']
        if dest == data_dir['path'] and 'stat' in data_dir:
            dest_stat, parent = data_dir['stat'], data_dir.get('parent_stat') or {}
        else:
            dest_stat = self._stat(dest)
            parent = self._stat(os.path.dirname(dest)) if not dest_stat.get('exists') else {}
        plan['dest_stat'] = {'stat': dest_stat}
        check_destination(plan, dest_stat, parent, args, odoo, host)
        # a copy Odoo does not list (the destination is off its addons path): its version is not known
        unknown = (dest not in plan['search_path'] and bool(dest_stat.get('exists'))
                   and self._stat('%s/%s' % (dest, plan['module'])).get('exists', False))
        self._check_readable(plan, dest_stat, odoo, host)
        check_other_copies(plan, odoo, host)

        copy = next((item for item in odoo['addon']['copies'] if item['addons_dir'] == dest), {})
        user = odoo.get('user') or ''
        plan.update(
            before='unknown (off the addons path)' if unknown else copy.get('version'),
            needs_files=unknown or copy.get('content_sha256') != archive['content_sha256'],
            fix_modes=bool(plan['is_data_dir'] and dest_stat.get('exists') and not data_dir.get('readable') and user),
            config_call=bool(args['manage_config'] and (dest not in plan['search_path'] or args['dbfilter'])))
        plan['recovering'] = self._recovering(plan, args, archive)
        before = known(plan['before'])
        if (before and plan['needs_files'] and not plan['recovering'] and not args['allow_downgrade']
                and is_newer(before, archive['version'])):
            raise Refused(
                'Cannot install %s %s in %s on %s: version %s is in place, and this archive is older (a downgrade). '
                "Odoo's -u would not undo what %s migrated, and the databases would keep recording it. Use the %s "
                'archive or a newer one, or set addon_allow_downgrade (systempay_odoo_allow_downgrade) to true to '
                'downgrade on purpose.' % (plan['module'], archive['version'], dest, host, before, before, before))
        self._check_imports(plan, archive, odoo, host)
        check_stages(plan, archive, self._vars.get('ansible_run_tags'), self._vars.get('ansible_skip_tags'), host)
        if warnings:
            plan['warnings'] = warnings
        return plan

    def _check_readable(self, plan, dest_stat, odoo, host):
        """Odoo reads its addons as the service user: a folder that user cannot read is skipped silently."""
        user = odoo.get('user') or ''
        if plan['is_data_dir'] or not dest_stat.get('exists') or user in ('', 'root'):
            return
        dest = plan['dest']
        if self._command(['runuser', '-u', user, '--', 'test', '-r', dest, '-a', '-x', dest])[0] != 0:
            raise Refused(
                'Cannot install %s in %s on %s: %s, the user Odoo runs as, cannot read that folder (owner %s:%s, mode %s, '
                'or a parent folder it cannot enter), so Odoo would skip the module. Give %s read and execute access to '
                'it, or choose another addon_dest.'
                % (plan['module'], dest, host, user, dest_stat.get('pw_name', '?'), dest_stat.get('gr_name', '?'),
                   dest_stat.get('mode', '?'), user))

    def _recovering(self, plan, args, archive):
        """An upgrade an earlier run left unfinished (Odoo not answering, a newer copy in place whose newest backup is
        this archive's content): putting the backup back finishes that run's rollback, it is not a downgrade."""
        before = known(plan['before'])
        if not (plan['needs_files'] and plan['odoo'].get('http_status') not in (None, 200) and before
                and not is_newer(archive['version'], before)):
            return False
        answer = self._module('systempay.odoo.addon_install', dict(
            dest=plan['dest'], module=plan['module'], rollback=True, backup_keep=args['backup_keep']), check_mode=True)
        return answer.get('content_sha256') == archive['content_sha256']

    def _check_imports(self, plan, archive, odoo, host):
        """Refuse a release whose Python imports Odoo's interpreter cannot find: every database with the module would
        stop loading. gather asked that interpreter about the releases' imports; the host is asked only otherwise."""
        needed = archive.get('python_imports') or []
        python = odoo.get('python') or ''
        if not (plan['needs_files'] and needed and python):
            return
        names = [item['module'] for item in needed]
        asked = odoo.get('python_imports') or {}
        if any(name not in asked for name in names):
            user = odoo.get('user') or ''
            argv = (['runuser', '-u', user, '--'] if user not in ('', 'root') else []) + [python, '-c', FIND_SPEC] + names
            rc, out, err = self._command(argv)
            if rc != 0:
                raise Refused("Cannot check that Odoo's Python (%s) on %s can import what %s %s needs: %s"
                              % (python, host, plan['module'], archive['version'], err.strip() or 'exit code %s' % rc))
            missing = out.split()
        else:
            missing = [name for name in names if not asked.get(name)]
        if missing:
            lacking = [item for item in needed if item['module'] in missing]
            raise Refused(
                "Cannot install %s %s on %s: Odoo's Python (%s, run as %s) cannot import %s, which this addon release "
                'imports when Odoo loads it, so every database with the module would stop loading. Install %s (Debian '
                'packages; with pip: %s) for that interpreter, then run again. Nothing was changed.'
                % (plan['module'], archive['version'], host, python, odoo.get('user') or 'root', ', '.join(missing),
                   ' and '.join(item['debian'] for item in lacking), ', '.join(item['pip'] for item in lacking)))

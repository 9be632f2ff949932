#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection, offline, without containers.
#
# ansible-test wants the collection at .../ansible_collections/<namespace>/<name>; the checkout is not
# laid out that way, so the files git knows (tracked, plus untracked ones that .gitignore does not
# exclude: work in progress is checked too) are copied into a temp tree and checked there.
#
#   VENV=.venv (default)   where ansible-test comes from; this script never creates it
#   SANITY_TESTS="a b"     run only these tests (default: every test that works offline, see below)
#   KEEP=1                 keep the temp tree (its path is printed)
#
# What runs: every test of `ansible-test sanity --list-tests` (24 with ansible-core 2.19), on the venv's
# Python only (--python; the test hosts run Debian 12's Python 3.11 too). Tests with pinned tools
# (pylint, pep8, validate-modules, yamllint, ansible-doc, import, changelog, runtime-metadata…) get
# them in ansible-test's own virtualenvs under ~/.ansible/test/venv, installed from PyPI (see the pip
# bootstrap below); nothing needs docker. "shellcheck" needs the shellcheck program (the Debian
# package of that name, installed by bootstrap.sh); without it ansible-test only warns and the test checks nothing.
# The sanity ignore file tests/sanity/ignore-2.19.txt stays empty.
#
# Paths not copied, and why:
#   tests/odoo_standin/   fake Odoo (package "odoo", addons with __manifest__.py, an odoo-bin
#   tests/fixtures/       script): they are test equipment, not collection content; sanity would
#                         judge them as Ansible plugins/scripts (shebang, no-underscore-variable,
#                         compile on old Pythons…) for things inherent to imitating Odoo.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
if [ ! -x "$VENV/bin/ansible-test" ]; then
  echo "sanity: $VENV/bin/ansible-test is missing; run 'make venv' (or set VENV)" >&2
  exit 2
fi
export PATH="$VENV/bin:$PATH"

PYVER=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/systempay-sanity.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "sanity: kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
DEST="$WORK/ansible_collections/systempay/odoo"
mkdir -p "$DEST"

EXCLUDE_RE='^(tests/odoo_standin/|tests/fixtures/)'
git ls-files -z --cached --others --exclude-standard \
  | grep -zEv "$EXCLUDE_RE" \
  | while IFS= read -r -d '' file; do
      [ -e "$file" ] || continue          # deleted but still in the index
      cp --parents -a "$file" "$DEST/"
    done

# ansible-test wants a git tree to tell content from leftovers; give it one (never the checkout's).
(cd "$DEST" && git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity)

# ansible-test puts each test's pinned tools in its own virtualenv, which it bootstraps with a
# get-pip.py downloaded from a host outside the package registries (unreachable here). Its cache
# takes a stand-in that bootstraps pip with the standard library's ensurepip and then installs the
# requested pip (and the pinned tools after it) from PyPI, the registry we do reach.
PIP_VERSION=$(cd / || exit 1; "$VENV/bin/python" -c '
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="'"$PYVER"'"))["pip"])' 2>/dev/null || true)
if [ -n "$PIP_VERSION" ]; then
  GET_PIP="$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"
  if [ ! -s "$GET_PIP" ] || grep -q 'written by systempay.odoo' "$GET_PIP"; then
    mkdir -p "$(dirname "$GET_PIP")"
    cat > "$GET_PIP" <<'PY'
"""Offline stand-in for get-pip.py, written by systempay.odoo tests/scripts/sanity.sh."""
import subprocess
import sys

if __name__ == '__main__':
    ONLY_GET_PIP = ('--no-setuptools', '--no-wheel')
    args = [arg for arg in sys.argv[1:] if arg not in ONLY_GET_PIP]
    # in a child: ensurepip sets PIP_CONFIG_FILE=/dev/null in its own process, hiding the host's pip settings
    status = subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade'])
    if status == 0:
        status = subprocess.call([sys.executable, '-m', 'pip', 'install'] + args)
    if status == 0 and '--no-setuptools' in sys.argv:
        status = subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '-q', '-y', 'setuptools'])
    sys.exit(status)
PY
  fi
fi

cd "$DEST"
ARGS=(sanity --local --python "$PYVER" --color no)
if [ -n "${SANITY_TESTS:-}" ]; then
  for t in $SANITY_TESTS; do ARGS+=(--test "$t"); done
fi
echo "==> ansible-test ${ARGS[*]} (in $DEST)"
ansible-test "${ARGS[@]}"
echo "sanity: ok"

#!/usr/bin/env bash
# Lint the collection: yamllint, ansible-lint (profile production, .config/ansible-lint.yml),
# and the check that every role's defaults/main.yml and meta/argument_specs.yml name the same inputs.
# Tools come from $VENV (default .venv, made by `make venv`; this script never creates it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
for tool in python yamllint ansible-lint; do
  if [ ! -x "$VENV/bin/$tool" ]; then
    echo "lint: $VENV/bin/$tool is missing; run 'make venv' (or set VENV)" >&2
    exit 2
  fi
done
export PATH="$VENV/bin:$PATH"

# The checkout as the collection systempay.odoo (same link as `make collections-link`).
LINK="$ROOT/build/collections/ansible_collections/systempay/odoo"
if [ ! -e "$LINK" ]; then
  mkdir -p "$(dirname "$LINK")"
  ln -sfn ../../../.. "$LINK"
fi
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export ANSIBLE_COLLECTIONS_PATH="$ROOT/build/collections:$SITE"

failed=0

echo "==> yamllint"
yamllint --strict . || failed=1

echo "==> ansible-lint (profile production)"
ansible-lint --offline -c .config/ansible-lint.yml || failed=1

echo "==> role inputs: defaults/main.yml keys == meta/argument_specs.yml options"
"$VENV/bin/python" tests/scripts/check_role_inputs.py roles || failed=1

if [ "$failed" -ne 0 ]; then
  echo "lint: FAILED" >&2
  exit 1
fi
echo "lint: ok"

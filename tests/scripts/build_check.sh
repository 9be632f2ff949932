#!/usr/bin/env bash
# Prove the collection tarball works: build it, install it into a temp folder, and resolve a module
# by its FQCN from there (ansible-doc systempay.odoo.odoo_info), with the checkout out of sight.
# Tools come from $VENV (default .venv; this script never creates it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-.venv}
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
for tool in ansible-galaxy ansible-doc; do
  if [ ! -x "$VENV/bin/$tool" ]; then
    echo "build_check: $VENV/bin/$tool is missing; run 'make venv' (or set VENV)" >&2
    exit 2
  fi
done
export PATH="$VENV/bin:$PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/systempay-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "==> ansible-galaxy collection build"
ansible-galaxy collection build --output-path "$WORK/dist" "$ROOT" >/dev/null
TARBALL=$(ls "$WORK"/dist/systempay-odoo-*.tar.gz)
echo "    $(basename "$TARBALL")"

LISTING=$(tar -tzf "$TARBALL")

echo "==> what the tarball must not carry"
bad=$(echo "$LISTING" | grep -E '^(tests|molecule|docs|build|\.venv|\.ci|\.git)/|\.zip$|__pycache__' || true)
if [ -n "$bad" ]; then
  echo "build_check: the tarball carries files build_ignore should keep out:" >&2
  echo "$bad" | head -20 >&2
  exit 1
fi
echo "==> what the tarball must carry"
for needed in MANIFEST.json FILES.json meta/runtime.yml plugins/modules/odoo_info.py \
              plugins/module_utils/generations.py plugins/module_utils/odoo_conf.py playbooks/site.yml; do
  grep -qx "$needed" <<<"$LISTING" || { echo "build_check: $needed missing from the tarball" >&2; exit 1; }
done

echo "==> ansible-galaxy collection install -p (offline, no dependencies)"
ansible-galaxy collection install --offline --no-deps -p "$WORK/collections" "$TARBALL" >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log" >&2; exit 1; }

echo "==> ansible-doc systempay.odoo.odoo_info from the installed copy only"
# Run from an empty folder with only the install folder on the collections path, so the checkout
# (or its build/collections link) cannot answer in its place.
DOC=$(cd "$WORK" && ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ansible-doc -t module systempay.odoo.odoo_info)
echo "$DOC" | grep -q 'odoo_info' || { echo "build_check: ansible-doc did not document odoo_info" >&2; exit 1; }
SRC=$(cd "$WORK" && ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ansible-doc -t module --json systempay.odoo.odoo_info \
      | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["systempay.odoo.odoo_info"]["doc"]["filename"])')
case "$SRC" in
  "$WORK/collections/"*) echo "    resolved from $SRC" ;;
  *) echo "build_check: odoo_info resolved from $SRC, not from the installed tarball" >&2; exit 1 ;;
esac
echo "build_check: ok"

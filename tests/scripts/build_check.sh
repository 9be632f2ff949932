#!/usr/bin/env bash
# Prove the collection tarball works: build it, install it into a temp folder, and resolve every module
# and role by its FQCN from there (ansible-doc), with the checkout out of sight.
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
# Only the temp folder on the collections path: with the checkout's build/collections link visible (as under
# make), ansible-galaxy would see systempay.odoo as already installed and install nothing.
ANSIBLE_COLLECTIONS_PATH="$WORK/collections" \
  ansible-galaxy collection install --offline --no-deps -p "$WORK/collections" "$TARBALL" >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log" >&2; exit 1; }

# Every module and role of the checkout must resolve by its FQCN from the installed copy only: run from an
# empty folder with only the install folder on the collections path, so the checkout (or its
# build/collections link) cannot answer in its place.
resolve() {  # resolve TYPE NAME...: each documented, from a file under the install folder
  local type=$1; shift
  (cd "$WORK" && ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ansible-doc -t "$type" --json "$@") \
    | "$VENV/bin/python" -c '
import json, sys
work, names, docs = sys.argv[1], sys.argv[2:], json.load(sys.stdin)
bad = []
for name in names:
    entry = docs.get(name) or {}
    doc = entry.get("doc") or entry.get("entry_points") or {}  # a module has "doc", a role "entry_points"
    where = (entry.get("doc") or {}).get("filename") or entry.get("path") or ""
    if not doc:
        bad.append("%s: not documented" % name)
    elif where and not where.startswith(work + "/collections/"):
        bad.append("%s: resolved from %s, not from the installed tarball" % (name, where))
    else:
        print("    %s" % name)
if bad:
    sys.exit("build_check: " + "; ".join(bad))
' "$WORK" "$@"
}

modules=$(find plugins/modules -maxdepth 1 -name '*.py' ! -name '__init__.py' -printf '%f\n' | sort | sed 's/\.py$//; s/^/systempay.odoo./')
echo "==> ansible-doc -t module, from the installed copy only"
# shellcheck disable=SC2086  # one name per word
resolve module $modules
roles=$(find roles -mindepth 3 -maxdepth 3 -path 'roles/*/meta/argument_specs.yml' | cut -d/ -f2 | sort \
        | sed 's/^/systempay.odoo./')
if [ -n "$roles" ]; then
  echo "==> ansible-doc -t role, from the installed copy only"
  # shellcheck disable=SC2086
  resolve role $roles
fi
echo "build_check: ok"

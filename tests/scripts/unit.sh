#!/usr/bin/env bash
# Controller-side pytest suites: the collection's unit tests, the Odoo stand-in's
# own tests and the fixture addons' tests — those of them that exist.
# Each suite runs in its own pytest process: they have test modules of the same
# basename, and the stand-in's `odoo` package must not leak into the others.
# The collection is importable as ansible_collections.systempay.odoo through
# build/collections (make collections-link). Extra arguments go to every pytest run.
# Each suite runs its tests in as many worker processes as the machine has cores (pytest-xdist, UNIT_JOBS to
# change it): the tests start Odoo stand-in processes and PostgreSQL clusters and wait on them, so one process used
# one of the two cores of a CI machine (each worker starts the session fixtures it needs, its own clusters included).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

export PYTHONPATH="$PWD/build/collections${PYTHONPATH:+:$PYTHONPATH}"
ran=0
failed=()
for d in tests/unit tests/odoo_standin/tests tests/fixtures/addons/tests; do
    if [ ! -d "$d" ] || [ -z "$(find "$d" -name 'test_*.py' -print -quit)" ]; then
        echo "unit: $d has no tests (yet), skipped"
        continue
    fi
    echo "unit: pytest $d"
    ran=$((ran + 1))
    # -p no:cacheprovider keeps the checkout clean; exit 5 (nothing collected) counts as a failure.
    pytest -p no:cacheprovider -q --numprocesses="${UNIT_JOBS:-auto}" "$d" "$@" || failed+=("$d")
done

if [ "$ran" -eq 0 ]; then
    echo "unit: no unit test suite exists yet" >&2
    exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "unit: FAILED in ${failed[*]}" >&2
    exit 1
fi

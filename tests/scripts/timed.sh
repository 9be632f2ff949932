#!/usr/bin/env bash
# timed.sh LABEL CMD...   run CMD, then print "==> LABEL: ok|FAILED (rc) in N s".
# Exit code is CMD's. Used by the Makefile so every target reports its wall time.
set -uo pipefail
label="$1"; shift
start=$(date +%s)
"$@"
rc=$?
secs=$(( $(date +%s) - start ))
if [ "$rc" -eq 0 ]; then
    echo "==> $label: ok in ${secs} s"
else
    echo "==> $label: FAILED (exit $rc) in ${secs} s" >&2
fi
exit "$rc"

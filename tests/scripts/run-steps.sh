#!/usr/bin/env bash
# run-steps.sh NAME STEP...   run make steps one after the other, keep going after
# a failure, then print a table of results and wall times. Exit 1 if any failed.
# A step is a make target (lint, sanity, unit) or molecule:<scenario>.
set -uo pipefail
name="$1"; shift
MAKE="${MAKE:-make}"
declare -a rows=()
failed=0
total_start=$(date +%s)
for step in "$@"; do
    case "$step" in
        molecule:*) cmd=("$MAKE" --no-print-directory molecule "S=${step#molecule:}" M=test) ;;
        *)          cmd=("$MAKE" --no-print-directory "$step") ;;
    esac
    echo
    echo "######## $name: $step"
    start=$(date +%s)
    if "${cmd[@]}" </dev/null; then res=ok; else res=FAILED; failed=$((failed + 1)); fi
    rows+=("$(printf '%-28s %-7s %5d s' "$step" "$res" $(( $(date +%s) - start )))")
done
echo
echo "######## $name summary"
printf '%s\n' "${rows[@]}"
echo "total: $(( $(date +%s) - total_start )) s, ${#rows[@]} steps, $failed failed"
[ "$failed" -eq 0 ]

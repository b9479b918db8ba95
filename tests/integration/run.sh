#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every end-to-end test (tests/integration/test-*.sh) against the built image and prints one line per
# test plus the summary line "N passed, N failed". Exit status 77 from a test means skipped.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export VARIANT=${1:-qemu}
passed=0 failed=0 skipped=0
for t in "$here"/test-*.sh; do
        name=$(basename "$t" .sh)
        echo "== $name"
        start=$(date +%s)
        bash "$t"
        rc=$?
        secs=$(($(date +%s) - start))
        case $rc in
        0) passed=$((passed + 1)); echo "== $name: PASS (${secs}s)" ;;
        77) skipped=$((skipped + 1)); echo "== $name: SKIP (${secs}s)" ;;
        *) failed=$((failed + 1)); echo "== $name: FAIL (${secs}s)" ;;
        esac
done
echo "integration: $passed passed, $failed failed, $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

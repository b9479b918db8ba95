# SPDX-License-Identifier: MIT
# Sourced by the host tests of the update agent (POSIX sh): how they fail, and bulkhead-repo with its
# output kept in repo-log.txt (needs $repo_tool).
fail() {
        echo "FAIL: $*" >&2
        exit 1
}
run_repo() {
        "$repo_tool" "$@" >>repo-log.txt 2>&1 || { cat repo-log.txt >&2; fail "bulkhead-repo $*"; }
}

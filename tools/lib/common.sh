# SPDX-License-Identifier: MIT
# Shared helpers for the build scripts in tools/. Sourced, not executed.

die() {
        echo "error: $*" >&2
        exit 1
}

warn() {
        echo "warning: $*" >&2
}

note() {
        echo ">> $*" >&2
}

# Fails with the list of missing programs, so a half-provisioned machine says what to install.
require_tools() {
        local missing=() t
        for t in "$@"; do
                command -v "$t" >/dev/null 2>&1 || missing+=("$t")
        done
        [ ${#missing[@]} -eq 0 ] || die "missing build tool(s): ${missing[*]} (run 'make deps' to install packages/build-deps.list)"
}

# The download cache lives outside the tree so a clean clone reuses it.
BULKHEAD_CACHE=${BULKHEAD_CACHE:-/var/cache/bulkhead}

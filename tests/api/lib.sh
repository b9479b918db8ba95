# SPDX-License-Identifier: MIT
# Shared by the host-side API tests: a scratch directory, pass/fail counting, and a real apiserver on a
# temporary socket and datastore (sourced after APISERVER, APICLIENT and SOURCE_ROOT are set as
# $apiserver, $apiclient and $src).
work=$(mktemp -d)
server=
helpers= # other background processes a test starts (fake services), ended with it
cleanup() {
        [ -n "$server" ] && kill -9 $server 2>/dev/null
        [ -n "$helpers" ] && kill $helpers 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
failed=0 passed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # description, then a command that must succeed
        local what=$1
        shift
        if "$@"; then pass "$what"; else fail "$what"; fi
}

printf 'NAME=Bulkhead\nVERSION_ID=0.1.0\nVARIANT_ID=qemu\nPRETTY_NAME="Bulkhead 0.1.0 (qemu)"\n' \
        >"$work/os-release"
mkdir "$work/root"
# The update agent is tests/api/fake-update.sh (what it does next: $work/fake-update/next); the node runs set
# a of a disk that is a plain path.
export FAKE_UPDATE_DIR="$work/fake-update"
fake_update=$(realpath "$(dirname "${BASH_SOURCE[0]}")/fake-update.sh")
mkdir "$FAKE_UPDATE_DIR" "$work/esp"
printf 'console=ttyS0 bulkhead.set=a bulkhead.root=00000000-0000-0000-0000-000000000001\n' >"$work/cmdline"

# The update agent and what it reads are files of the test (a test that drives updates writes them), so that
# no test can run a real agent of the host.
printf 'BOOT_IMAGE=/vmlinuz bulkhead.set=a bulkhead.root=1397cc2b-6846-4d6a-ae3d-21e716b516ee\n' >"$work/cmdline"

# start [DATASTORE]: starts the server (default datastore settings.sqlite; a new name is a first boot) and
# waits for its socket.
start() {
        rm -f "$work/api.sock"
        "$apiserver" --socket "$work/api.sock" --datastore "$work/${1:-settings.sqlite}" --models "$src/models" \
                --templates "$src/templates" --root "$work/root" --os-release "$work/os-release" --no-bus \
                --update-program "$fake_update" \
                --update-state "$work/update-state.json" --update-root "$work/root.json" --esp "$work/esp" \
                --update-metadata-cache "$work/tuf" \
                --disk "$work/disk.img" --cmdline "$work/cmdline" 2>>"$work/server.log" &
        server=$!
        for _ in $(seq 200); do [ -S "$work/api.sock" ] && return 0; sleep 0.025; done
        echo "server did not start:"; cat "$work/server.log"; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null; server=; }
api() { "$apiclient" --socket "$work/api.sock" "$@"; }

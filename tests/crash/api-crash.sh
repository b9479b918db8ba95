#!/bin/bash
# SPDX-License-Identifier: MIT
# Kills the API server with SIGKILL at random moments while a client commits numbered settings through it,
# RUNS times (default 200). After each kill the server starts again on the same datastore, which must hold
# the last commit the client saw acknowledged or a later one it sent (the one in flight when the server died):
# never an older one, never a mix (each commit sets motd and a sysctl to the same number).
# Usage: api-crash.sh APISERVER APICLIENT SOURCE_ROOT [RUNS]
set -uo pipefail
apiserver=$1 apiclient=$2 src=$3 runs=${4:-200}
work=$(mktemp -d)
trap 'kill -9 $server $client 2>/dev/null; rm -rf "$work"' EXIT
printf 'NAME=Bulkhead\nVERSION_ID=0.1.0\nVARIANT_ID=qemu\n' >"$work/os-release"
mkdir "$work/root"
server=0 client=0

start() {
        rm -f "$work/api.sock"
        "$apiserver" --socket "$work/api.sock" --datastore "$work/settings.sqlite" --models "$src/models" \
                --templates "$src/templates" --root "$work/root" --os-release "$work/os-release" --no-bus \
                2>/dev/null &
        server=$!
        for _ in $(seq 200); do [ -S "$work/api.sock" ] && return 0; sleep 0.01; done
        echo "server did not start"; exit 1
}
api() { "$apiclient" --socket "$work/api.sock" "$@"; }

# The client: commit n, and once the commit is acknowledged record n. Runs until killed.
committer() {
        local n=$1
        while :; do
                n=$((n + 1))
                echo "$n" >"$work/inflight.tmp" && mv "$work/inflight.tmp" "$work/inflight"
                api raw -X PATCH -u /settings?tx=crash \
                        -d "{\"motd\": \"$n\", \"kernel\": {\"sysctl\": {\"kernel.crash-test\": \"$n\"}}}" \
                        >/dev/null 2>&1 || continue
                api raw -X POST -u /tx/commit?tx=crash >/dev/null 2>&1 &&
                        echo "$n" >"$work/acked.tmp" && mv "$work/acked.tmp" "$work/acked"
        done
}

echo 0 >"$work/acked"
consistent=0 bad=0 last=0
for ((i = 1; i <= runs; i++)); do
        start
        committer "$last" &
        client=$!
        sleep "0.$(printf '%03d' $((RANDOM % 250)))"
        kill -9 "$server"
        wait "$server" 2>/dev/null
        kill -9 "$client" 2>/dev/null
        wait "$client" 2>/dev/null
        acked=$(cat "$work/acked") inflight=$(cat "$work/inflight" 2>/dev/null || echo 0)
        start
        got=$(api --json get motd kernel.sysctl)
        kill "$server"
        wait "$server" 2>/dev/null
        motd=$(sed -n 's/.*"motd":"\([0-9]*\)".*/\1/p' <<<"$got")
        sysctl=$(sed -n 's/.*"kernel.crash-test":"\([0-9]*\)".*/\1/p' <<<"$got")
        if [ "$acked" = 0 ] && [ -z "$motd" ]; then
                consistent=$((consistent + 1)) # nothing committed yet: defaults
        elif [ -n "$motd" ] && [ "$motd" = "$sysctl" ] && [ "$motd" -ge "$acked" ] && [ "$motd" -le "$inflight" ]; then
                # The client may die between the server's answer and writing it down, so anything from the
                # last recorded acknowledgement to the commit in flight is a whole, acknowledged-or-pending
                # commit; anything older would be a lost commit.
                consistent=$((consistent + 1))
                last=$motd
        else
                bad=$((bad + 1))
                echo "run $i: acknowledged $acked, in flight $inflight, datastore holds $got"
        fi
done
echo "api-crash: $consistent/$runs runs consistent (last commit $last)"
[ "$bad" -eq 0 ]

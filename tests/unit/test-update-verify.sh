#!/bin/sh
# SPDX-License-Identifier: MIT
# update verify as a user runs it, on the python-tuf fixture: the listing must match the golden file, and
# refusals must exit 1 with one "update: refused: <reason>" line.
# Usage: test-update-verify.sh UPDATE_BINARY TESTDATA_DIR GOLDEN_DIR
set -eu

update=$1
repo=$2/tuf/python-tuf-repository_data/repository
golden=$3/update-verify-python-tuf.txt
root=$repo/metadata/root.json
now=2025-01-01T00:00:00Z
out=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server"; rm -rf "$out"' EXIT

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

"$update" verify --root "$root" --repo "$repo" --now "$now" >"$out/dir.txt" || fail "directory repository refused"
diff -u "$golden" "$out/dir.txt" || fail "directory listing differs from $golden"

"$update" verify --root "$root" --repo "file://$repo" --now "$now" >"$out/url.txt" || fail "file:// refused"
diff -u "$golden" "$out/url.txt" || fail "file:// listing differs from $golden"

"$update" verify --root "$root" --metadata-dir "$repo/metadata" --targets-dir "$repo/targets" --now "$now" \
        file3.txt >"$out/one.txt" || fail "single target refused"
grep -x "$(grep ' file3.txt$' "$golden")" "$out/one.txt" >/dev/null || fail "file3.txt not listed alone"

expect_refusal() {
        reason=$1
        shift
        rc=0
        "$update" verify "$@" >"$out/stdout" 2>"$out/stderr" || rc=$?
        [ "$rc" -eq 1 ] || fail "exit status $rc for: $*"
        [ "$(cat "$out/stderr")" = "update: refused: $reason" ] || fail "stderr: $(cat "$out/stderr")"
        [ ! -s "$out/stdout" ] || fail "printed targets although refused"
}

expect_refusal "root.json: expired at 2030-01-01T00:00:00Z (freeze)" \
        --root "$root" --repo "$repo" --now 2030-01-01T00:00:00Z
expect_refusal "target 'missing.txt' is not listed by any trusted role" \
        --root "$root" --repo "$repo" --now "$now" missing.txt
expect_refusal "root.json: signed by 0 of the 1 keys required for role root" \
        --root "$2/tuf/go-tuf-repository_data/repository/metadata/1.root.json" --repo "$repo" --now "$now"
# Over HTTP, from a local server on a free port: a missing N+1.root.json is a 404, which ends the rotation.
if command -v python3 >/dev/null; then
        (cd "$repo" && exec python3 -u -m http.server 0 --bind 127.0.0.1) >"$out/http.log" 2>&1 &
        server=$!
        port=
        for _ in $(seq 50); do
                port=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$out/http.log")
                [ -z "$port" ] || break
                sleep 0.1
        done
        [ -n "$port" ] || fail "the HTTP server did not start: $(cat "$out/http.log")"
        "$update" verify --root "$root" --repo "http://127.0.0.1:$port/" --now "$now" >"$out/http.txt" ||
                fail "http:// refused"
        diff -u "$golden" "$out/http.txt" || fail "http:// listing differs from $golden"
        expect_refusal "timestamp.json: not found in the repository" \
                --root "$root" --repo "http://127.0.0.1:$port/nothing" --now "$now"
fi
echo "ok"

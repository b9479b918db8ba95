#!/bin/bash
# SPDX-License-Identifier: MIT
# Golden-file tests for `render`: each directory under DIR holds template.mustache, data.json, optionally
# partials/, and either `expected` (stdout, exit 0) or `expected-error` (stderr, exit 1).
# Usage: run-golden.sh RENDER DIR
set -u
render=$(realpath "$1")
failed=0
for dir in "$2"/*/; do
        name=$(basename "$dir")
        args=(--template template.mustache --json data.json)
        [ -d "$dir/partials" ] && args+=(--partials partials)
        out=$(cd "$dir" && "$render" "${args[@]}" 2>/tmp/render-golden-err.$$; echo "rc=$?")
        err=$(cat /tmp/render-golden-err.$$)
        if [ -f "$dir/expected" ]; then
                want="$(cat "$dir/expected"; echo "rc=0")"
                got="$out"
        else
                want="$(cat "$dir/expected-error")"$'\n'"rc=1"
                got="$err"$'\n'"${out##*$'\n'}"
        fi
        if [ "$got" == "$want" ]; then
                echo "ok $name"
        else
                echo "FAIL $name"
                diff <(echo "$want") <(echo "$got")
                failed=1
        fi
done
rm -f /tmp/render-golden-err.$$
exit $failed

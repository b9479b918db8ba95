#!/bin/bash
# SPDX-License-Identifier: MIT
# The update agent's stand-in for the host API tests: the API server runs it as it runs `update`. It appends
# its command line to $FAKE_UPDATE_DIR/calls and does what $FAKE_UPDATE_DIR/next says (default up-to-date):
#   up-to-date         print it, leave the state file alone (as `update apply` does)
#   ready VERSION      write the state "ready" of VERSION on set b, stamped now
#   error              write the state "error", exit 1
# and sleeps $FAKE_UPDATE_DIR/seconds first if that file exists.
# Usage (by the API server): fake-update.sh VERB --state FILE [OPTIONS...]
set -u
dir=${FAKE_UPDATE_DIR:?}
echo "$*" >>"$dir/calls"
state=
for ((i = 1; i < $#; i++)); do
        [ "${!i}" = --state ] && { j=$((i + 1)); state=${!j}; }
done
[ -f "$dir/seconds" ] && sleep "$(cat "$dir/seconds")"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
next=$(cat "$dir/next" 2>/dev/null || echo up-to-date)
case $next in
"ready "*)
        printf '{"state": "ready", "version": "%s", "reason": null, "set": "b", "updated_at": "%s"}\n' \
                "${next#ready }" "$now" >"$state"
        echo "ready ${next#ready } b"
        ;;
error)
        printf '{"state": "error", "version": null, "reason": "fake failure", "set": null, "updated_at": "%s"}\n' \
                "$now" >"$state"
        echo "error: fake failure"
        exit 1
        ;;
*) echo up-to-date ;;
esac

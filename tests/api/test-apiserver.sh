#!/bin/bash
# SPDX-License-Identifier: MIT
# The API server and apiclient end to end on the host: a real server on a temporary socket and datastore,
# driven by apiclient as an operator would. Checks answers, exit codes, rendering (the sha256 a node
# reports equals the one `render --settings` computes), try/confirm, persistence across restarts, and
# updates run by a fake agent (tests/api/fake-update.sh), automatic ones inside and outside the window.
# Usage: test-apiserver.sh APISERVER APICLIENT RENDER SOURCE_ROOT
set -uo pipefail
apiserver=$1 apiclient=$2 render=$3 src=$4
. "$(dirname "$0")/lib.sh"

start
check "defaults of the variant are live" [ "$(api --json get motd)" = '{"motd":"Welcome to Bulkhead (qemu)!"}' ]
check "the update seed was drawn in 0..2047" \
        bash -c '[[ "$1" =~ \"seed\":([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -le 2047 ]' _ "$(api --json get updates)"

api set motd='hi <there>' network.hostname=node-1 'kernel.sysctl."net.ipv4.ip_forward"=1' \
        host-containers.admin.enabled=true
check "set KEY=VALUE... exits 0" [ $? -eq 0 ]
out=$(api --json get motd network.hostname kernel.sysctl host-containers.admin.enabled)
check "get shows what was set (quoted sysctl name, string coerced to bool)" \
        [ "$out" = '{"motd":"hi <there>","network":{"hostname":"node-1"},"kernel":{"sysctl":{"net.ipv4.ip_forward":"1"}},"host-containers":{"admin":{"enabled":true}}}' ]
check "the motd file was rendered" [ "$(cat "$work/root/etc/motd")" = "hi <there>" ]
check "sysctl.conf was rendered" grep -qx 'net.ipv4.ip_forward = 1' "$work/root/etc/sysctl.d/90-bulkhead.conf"

err=$(api set nope.key=1 2>&1); rc=$?
check "unknown key refused with exit 2, by name ($err)" [ $rc -eq 2 ] && [[ "$err" == *"settings.nope"* ]]
err=$(api set network.hostname=-x- 2>&1); rc=$?
check "bad value refused with exit 2 ($err)" [ $rc -eq 2 ] && [[ "$err" == *"settings.network.hostname"* ]]
check "a refused set leaves no pending transaction" [ "$(api --json raw -u /tx/list)" = '[]' ]
api set 2>/dev/null; check "set without arguments is a usage error (exit 1)" [ $? -eq 1 ]
api frobnicate 2>/dev/null; check "unknown command is a usage error (exit 1)" [ $? -eq 1 ]
"$apiclient" --socket "$work/none.sock" get 2>/dev/null; check "no server is exit 3" [ $? -eq 3 ]
api raw -u /nowhere 2>/dev/null; check "unknown endpoint is exit 2" [ $? -eq 2 ]

# Bottlerocket-style user data applied unchanged.
cat >"$work/user-data.toml" <<'TOML'
[settings]
motd = "from toml"
[settings.ntp]
time-servers = ["time.example.com"]
[settings.dns]
name-servers = ["10.0.2.3"]
[settings.kernel.sysctl]
"vm.max_map_count" = "262144"
TOML
api apply "$work/user-data.toml"
check "apply TOML exits 0" [ $? -eq 0 ]
check "applied TOML is live" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]
check "timesyncd configuration rendered" grep -qx 'NTP=time.example.com ' \
        "$work/root/etc/systemd/timesyncd.conf.d/10-bulkhead.conf"
printf '[settings]\nmotd = 5\n' | api apply - 2>/dev/null
check "apply of a wrongly typed value is refused (exit 2)" [ $? -eq 2 ]
printf '[settings\n' | api apply - 2>"$work/err"
check "apply of broken TOML names line and column (exit 1)" [ $? -eq 1 ] && grep -q "line 1, column" "$work/err"

# What the node reports it wrote is what the host computes from the same settings. At boot every file is
# rendered: POST /tx/apply without keys.
api raw -X POST -u /tx/apply
check "apply of every file exits 0" [ $? -eq 0 ]
api --json get >"$work/settings.json"
for f in motd sysctl timesyncd resolved containerd-config updates; do
        node=$(api --json raw -u "/configuration-files?names=$f" | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p')
        tmpl=$(api --json raw -u "/configuration-files?names=$f" | sed -n 's/.*"template":"\([^"]*\)".*/\1/p')
        host=$("$render" --settings "$work/settings.json" --template "$src/templates/$tmpl" \
                --partials "$src/templates" | sha256sum | cut -d' ' -f1)
        check "$f: node's sha256 equals the host's rendering ($host)" [ -n "$node" ] && [ "$node" = "$host" ]
done

out=$(api --json set --try 1 motd=tried)
check "set --try answers with the keys and a deadline ($out)" grep -q '"keys":\["settings.motd"\],"confirm_by":[0-9]' <<<"$out"
check "the tried value is live" [ "$(api --json get motd)" = '{"motd":"tried"}' ]
sleep 2
check "unconfirmed: reverted after the deadline" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]
check "the file is rendered back" [ "$(cat "$work/root/etc/motd")" = "from toml" ]

stop
start
out=$(api --json get motd)
check "settings persist across a restart ($out)" [ "$out" = '{"motd":"from toml"}' ]
api --json set --try 30 motd=pending >/dev/null
kill -9 "$server"; wait "$server" 2>/dev/null
start
check "a try left unconfirmed by a crash is reverted at start" [ "$(api --json get motd)" = '{"motd":"from toml"}' ]

# Updates, with tests/api/fake-update.sh as the agent. Windows are set around the real clock: every day, from
# a few minutes ago (inside) or from three hours on (outside), so the test needs no clock of its own.
calls=$FAKE_UPDATE_DIR/calls
fake() { echo "$1" >"$FAKE_UPDATE_DIR/next"; rm -f "$calls"; }
at() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
wait_log() { for _ in $(seq 80); do grep -q "$1" "$work/server.log" && return 0; sleep 0.1; done; return 1; }
wait_idle() { for _ in $(seq 80); do api --json raw -u /updates/status | grep -q '"running":null' && return 0; sleep 0.1; done; }

check "automatic updates are on by default, every day from 03:00 UTC for 120 minutes" [ "$(api --json get updates.automatic updates.maintenance-window)" = \
        '{"updates":{"automatic":true,"maintenance-window":{"days":["mon","tue","wed","thu","fri","sat","sun"],"length-minutes":120,"start-time":"03:00"}}}' ]
err=$(api set --json '{"updates": {"maintenance-window": {"length-minutes": 0}}}' 2>&1)
[ $? -eq 2 ] && [[ "$err" == *"settings.updates.maintenance-window.length-minutes: not between 30 and 1440"* ]]
check "a window of 0 minutes is refused (exit 2): $err" [ $? -eq 0 ]

opens_at=$(date -u -d "$(date -u -d '+3 hours' '+%F %H:%M') UTC" +%s)
api set updates.maintenance-window.start-time="$(at "$opens_at" | cut -c12-16)" updates.maintenance-window.length-minutes=60
fake "ready 0.2.0"
out=$(api update auto)
[ $? -eq 0 ] && [ "$out" = "outside the maintenance window; the maintenance window opens at $(at "$opens_at")" ]
check "auto outside the window: exit 0, says when it opens ($out)" [ $? -eq 0 ]
out=$(api --json raw -X POST -u /actions/update/auto)
check "auto outside the window answers 200 with the opening time ($out)" \
        [ "$out" = "{\"started\":null,\"reason\":\"outside the maintenance window\",\"window\":{\"open\":false,\"opens\":\"$(at "$opens_at")\"}}" ]
check "auto outside the window runs nothing" [ ! -e "$calls" ]
out=$(api update apply)
[ $? -eq 0 ] && [ "$out" = "ready 0.2.0" ] &&
        grep -q "^apply .*--current-version 0.1.0 .*--disk $work/disk.img --current-set a --esp $work/esp" "$calls"
check "update apply works outside the window ($out)" [ $? -eq 0 ]
fake up-to-date
out=$(api update apply --reboot)
wait_log "update apply installed nothing: no reboot" && ! grep -q "rebooting into" "$work/server.log"
check "update apply --reboot with nothing to install does not reboot ($out)" [ $? -eq 0 ]
rm "$work/update-state.json" # as if that apply had not happened: a ready update is the next case but one

opened=$(date -u -d "$(date -u -d '-5 min' '+%F %H:%M') UTC" +%s)
api set updates.maintenance-window.start-time="$(at "$opened" | cut -c12-16)" updates.automatic=false
fake "ready 0.2.0"
out=$(api update auto)
[ $? -eq 0 ] && [ ! -e "$calls" ] && [ "$out" = "automatic updates are off (settings.updates.automatic)" ]
check "auto with automatic updates off does nothing ($out)" [ $? -eq 0 ]
api set updates.automatic=true
fake up-to-date
out=$(api --json raw -X POST -u /actions/update/auto)
check "auto inside the window starts apply and says when the window closes ($out)" \
        [ "$out" = "{\"started\":\"apply\",\"window\":{\"open\":true,\"closes\":\"$(at $((opened + 3600)))\"}}" ]
wait_log "update apply installed nothing: no reboot" && ! grep -q "rebooting into" "$work/server.log"
check "with nothing to install, no reboot" [ $? -eq 0 ]
grep -q "^apply .*--seed [0-9]* --version-lock latest --disk" "$calls" && ! grep -q -- --skip-version "$calls"
check "the agent ran apply with the settings (wave seed, lock), not skipping anything" [ $? -eq 0 ]

fake "ready 0.2.0"
out=$(api update auto)
check "auto inside the window applies ($out)" [ "$out" = "ready 0.2.0" ]
wait_log "update applied: rebooting into the new set"
check "and reboots while the window is open" [ $? -eq 0 ]
fake "ready 0.3.0"
out=$(api update auto)
[ "$out" = "rebooting into 0.2.0" ] && [ ! -e "$calls" ]
check "a ready update of this boot is rebooted into without another download ($out)" [ $? -eq 0 ]
echo 1 >"$FAKE_UPDATE_DIR/seconds"
rm "$work/update-state.json"
api raw -X POST -u /actions/update/auto >/dev/null
api set updates.automatic=false
wait_log "automatic update ready, but not rebooting"
check "an automatic update that ends after automatic updates were turned off does not reboot" [ $? -eq 0 ]
rm "$FAKE_UPDATE_DIR/seconds"
api set updates.automatic=true
printf '{"state": "ready", "version": "0.2.0", "set": "b", "updated_at": "2000-01-01T00:00:00Z"}\n' \
        >"$work/update-state.json"
fake up-to-date
api update auto >/dev/null
check "a version made ready before this boot that is not running is skipped" grep -q -- "--skip-version 0.2.0" "$calls"
echo 2 >"$FAKE_UPDATE_DIR/seconds"
api raw -X POST -u /actions/update/auto >/dev/null
out=$(api raw -X POST -u /actions/update/auto 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"already running"* ]]
check "auto while the agent runs is refused (exit 2): $out" [ $? -eq 0 ]
wait_idle
rm "$FAKE_UPDATE_DIR/seconds"
fake error
out=$(api update auto)
[ $? -eq 2 ] && [ "$out" = "error: fake failure" ]
check "an agent that fails: exit 2 with its reason ($out)" [ $? -eq 0 ]

# Bundles: with ?bundle=PATH the agent reads the bundle instead of the repository; a bundle path must be
# absolute, without control characters, and is refused before any agent runs.
exited() { # RC EXPECTED-RC OUTPUT NEEDLE
        [ "$1" -eq "$2" ] && [[ "$3" == *"$4"* ]]
}
fake "ready 2.0.0"
out=$(api update check); rc=$?
check "update check runs the agent ($out)" exited $rc 0 "$out" "ready 2.0.0"
check "without --bundle the agent reads the repository" grep -q -- "^check .*--repo " "$calls"
check "the agent keeps its TUF metadata" grep -q -- "^check .*--metadata-cache $work/tuf " "$calls"
check "the agent is told the running version and variant" grep -q -- "--variant qemu --current-version 0.1.0" "$calls"
fake "ready 2.0.0"
out=$(api update check --bundle '/local/bulkhead 2.0.0 & more.tar'); rc=$?
check "update check --bundle runs the agent ($out)" exited $rc 0 "$out" "ready 2.0.0"
check "the agent gets --bundle and the path, whole" grep -qF -- "--bundle /local/bulkhead 2.0.0 & more.tar --variant" "$calls"
check "... and no --repo" bash -c '! grep -q -- "--repo" "$1"' _ "$calls"
rm -f "$calls"
err=$(api update check --bundle bundle.tar 2>&1); rc=$?
check "a relative bundle path is refused with exit 2 ($err)" exited $rc 2 "$err" "not an absolute path"
err=$(api update apply --bundle ../bundle.tar 2>&1); rc=$?
check "apply: a relative bundle path is refused with exit 2 ($err)" exited $rc 2 "$err" "not an absolute path"
err=$(api raw -X POST -u '/actions/update/apply?bundle=/local/a%0Ab.tar' 2>&1); rc=$?
check "a bundle path with a control character is refused with exit 2 ($err)" \
        exited $rc 2 "$err" "control character"
check "no agent ran for a refused bundle path" [ ! -e "$calls" ]
rm -f "$work/update-state.json"

echo "api: $passed passed, $failed failed"
[ $failed -eq 0 ]
